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

/** The event the pages hear when the server no longer accepts the session. */
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

/**
 * One request to `/api/v1{path}` with the session's token and the chosen language. A refusal throws
 * ApiError with the server's code and message; a session the server no longer accepts sends the page
 * back to sign-in (SESSION_ENDED).
 */
async function send(method: string, path: string, body?: unknown, as?: string): Promise<Response> {
  const headers: Record<string, string> = { "accept-language": language === "en" ? "en" : "zh-CN" };
  // A device's own key (the kiosk's) instead of the session's token; its refusal never ends a session.
  const token = as ?? session.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers["content-type"] = "application/json";
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.ok) return res;
  if (res.status === 401 && token && !as && path !== "/auth/login" && !path.startsWith("/holder/login")) {
    // The session ended (expired, idle, signed out elsewhere): back to the sign-in page.
    session.clear();
    dispatchEvent(new Event(SESSION_ENDED));
  }
  const data = await res.json().catch(() => ({}));
  throw new ApiError(res.status, data.code ?? "ERROR", data.message ?? res.statusText, data.details);
}

/** A file the API serves (CSV), as text. */
export async function apiFile(path: string): Promise<string> {
  return (await send("GET", path)).text();
}

/** A document the API serves (a certificate's PDF), as bytes to save or open. */
export async function apiBlob(path: string): Promise<Blob> {
  return (await send("GET", path)).blob();
}

/** Calls the API and answers its JSON (nothing for a 204). */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => ({}))) as T;
}

/** Calls the API as a device (the kiosk's key), not as the signed-in session. */
export async function apiAs<T>(key: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, body, key);
  if (res.status === 204) return undefined as T;
  return (await res.json().catch(() => ({}))) as T;
}
