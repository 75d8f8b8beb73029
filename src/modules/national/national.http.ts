import type { KeyObject } from "node:crypto";
import { DomainError, ERROR_CODES, type ErrorCode } from "../../shared/errors.ts";
import { signHubRequest } from "./national.rules.ts";

/** The headers a signed request between a province and the hub carries (national.rules.ts: signHubRequest). */
export const HUB_HEADERS = {
  province: "x-sscard-province",
  at: "x-sscard-at",
  signature: "x-sscard-signature",
} as const;

/** A request between a province and the hub gives up after this long: a slow peer never holds a clerk. */
export const PEER_TIMEOUT_MS = 3_000;

/**
 * A signed request between a province and the hub (either way): the answer's status and JSON body, or
 * undefined when the peer cannot be reached in time. `province` is the signing province (a province's
 * own code; from the hub, the province the request is made for).
 */
export async function signedRequest(
  r: { baseUrl: string; key: KeyObject; province: string; at: string; timeoutMs?: number },
  method: "GET" | "POST",
  path: string,
  payload?: object,
): Promise<{ status: number; json: Record<string, unknown> } | undefined> {
  const body = payload === undefined ? "" : JSON.stringify(payload);
  try {
    const res = await fetch(`${r.baseUrl}${path}`, {
      method,
      headers: {
        ...(payload === undefined ? {} : { "content-type": "application/json" }),
        [HUB_HEADERS.province]: r.province,
        [HUB_HEADERS.at]: r.at,
        [HUB_HEADERS.signature]: signHubRequest(r.key, {
          province: r.province,
          at: r.at,
          method,
          path,
          body,
        }),
      },
      body: payload === undefined ? undefined : body,
      signal: AbortSignal.timeout(r.timeoutMs ?? PEER_TIMEOUT_MS),
    });
    return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
  } catch {
    return undefined;
  }
}

/**
 * The peer's refusal as this side's own error (the same code and details: the caller reads the home
 * province's reason, in its own language), or undefined when the answer is not an error of ours.
 */
export function relayedError(answer: {
  status: number;
  json: Record<string, unknown>;
}): DomainError | undefined {
  const code = String(answer.json.code ?? "");
  // A refused signature is the link's fault (a key not configured alike), not the caller's: not relayed.
  if (answer.status < 400 || answer.status >= 500 || answer.status === 401) return undefined;
  if (!(ERROR_CODES as readonly string[]).includes(code)) return undefined;
  return new DomainError(code as ErrorCode, (answer.json.details ?? {}) as Record<string, string>);
}
