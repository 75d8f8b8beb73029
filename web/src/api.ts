/** The API as the front ends call it: JSON, the session token, the chosen language, errors with their code. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  constructor(status: number, code: string, message: string, details?: Record<string, unknown>) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

const TOKEN = "sscard.token";

/** The event the pages hear when the server no longer accepts the session (detail: its message). */
export const SESSION_ENDED = "sscard:session-ended";

export const session = {
  get: () => sessionStorage.getItem(TOKEN),
  set: (token: string) => sessionStorage.setItem(TOKEN, token),
  clear: () => sessionStorage.removeItem(TOKEN),
};

let language = "zh";
export const setApiLanguage = (lang: string) => {
  language = lang;
};

/** A file the API serves (CSV), as text, with the session's token; throws ApiError like `api`. */
export async function apiFile(path: string): Promise<string> {
  const token = session.get();
  const res = await fetch(`/api/v1${path}`, {
    headers: {
      "accept-language": language === "en" ? "en" : "zh-CN",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
  });
  if (!res.ok) {
    const data = await res.json().catch(() => ({}));
    throw new ApiError(res.status, data.code ?? "ERROR", data.message ?? res.statusText, data.details);
  }
  return res.text();
}

/** Calls `/api/v1{path}`; throws ApiError with the server's message in the chosen language. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { "accept-language": language === "en" ? "en" : "zh-CN" };
  const token = session.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (res.status === 401 && token && path !== "/auth/login" && !path.startsWith("/holder/login")) {
    // The session ended (expired, idle, signed out elsewhere): back to the sign-in page, saying why.
    session.clear();
    dispatchEvent(new CustomEvent(SESSION_ENDED, { detail: data.message ?? "" }));
  }
  if (!res.ok)
    throw new ApiError(res.status, data.code ?? "ERROR", data.message ?? res.statusText, data.details);
  return data as T;
}
