/** Staff accounts lock for a while after this many consecutive wrong passwords. */
export const STAFF_LOGIN_MAX_FAILURES = 5;
export const STAFF_LOCK_MINUTES = 15;
/** A session's last-seen time is written at most this often, so reads stay reads. */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

/** Staff passwords: at least 12 characters with letters and digits. */
export function isStrongStaffPassword(password: string): boolean {
  return password.length >= 12 && /[A-Za-z]/.test(password) && /\d/.test(password);
}

/** After a wrong password: the new failure count and, at the limit, when the lock ends. */
export function afterFailedLogin(
  failures: number,
  now: Date,
): { failures: number; lockedUntil: string | null } {
  const next = failures + 1;
  if (next < STAFF_LOGIN_MAX_FAILURES) return { failures: next, lockedUntil: null };
  return { failures: 0, lockedUntil: new Date(now.getTime() + STAFF_LOCK_MINUTES * 60_000).toISOString() };
}

export type SessionTimes = { expiresAt: string; lastSeenAt: string; revokedAt: string | null };

/** Why a session can no longer be used, if it cannot: revoked, past its lifetime, or idle too long. */
export function sessionProblem(
  s: SessionTimes,
  now: Date,
  idleMinutes: number,
): "revoked" | "expired" | "idle" | undefined {
  if (s.revokedAt) return "revoked";
  const nowMs = now.getTime();
  if (nowMs >= Date.parse(s.expiresAt)) return "expired";
  if (nowMs - Date.parse(s.lastSeenAt) > idleMinutes * 60_000) return "idle";
  return undefined;
}
