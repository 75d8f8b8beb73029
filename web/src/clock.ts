import { chinaDate } from "../../src/shared/clock.ts";

/**
 * The server's clock, as the pages use it: "today" for a start date, a hire date or a policy's
 * effective date is the server's China calendar day, not the device's (a counter PC's or a kiosk's
 * clock may be wrong, and the server refuses dates in the future).
 */
let offsetMs = 0;

/** Reads the server's time once at start; until it answers (or when it cannot) the device's clock is used. */
export async function syncServerClock(): Promise<void> {
  try {
    const sent = Date.now();
    const res = await fetch("/api/v1/time");
    if (!res.ok) return;
    const { now } = (await res.json()) as { now: string };
    offsetMs = Date.parse(now) - (sent + Date.now()) / 2;
  } catch {
    // Offline: the device's clock is the best there is.
  }
}

/** Now on the server's clock. */
export const serverNow = (): Date => new Date(Date.now() + offsetMs);

/** The China Standard Time calendar date `days` after today on the server's clock (YYYY-MM-DD). */
export const chinaDay = (days = 0): string => chinaDate(new Date(serverNow().getTime() + days * 86_400_000));
