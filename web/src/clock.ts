import { chinaDate } from "../../src/shared/clock.ts";

/**
 * The server's clock, as the pages use it: "today" for a start date, a hire date or a policy's
 * effective date is the server's China calendar day, not the device's (a counter PC's or a kiosk's
 * clock may be wrong, and the server refuses dates in the future).
 */
let offsetMs = 0;
/** The area's time zone, as the server says (Asia/Shanghai by default): every time shown is in it. */
let timeZone = "Asia/Shanghai";

/** Reads the server's time once at start; until it answers (or when it cannot) the device's clock is used. */
export async function syncServerClock(): Promise<void> {
  try {
    const sent = Date.now();
    const res = await fetch("/api/v1/time");
    if (!res.ok) return;
    const answer = (await res.json()) as { now: string; timeZone?: string };
    offsetMs = Date.parse(answer.now) - (sent + Date.now()) / 2;
    if (answer.timeZone) timeZone = answer.timeZone;
  } catch {
    // Offline: the device's clock is the best there is.
  }
}

/** Now on the server's clock. */
export const serverNow = (): Date => new Date(Date.now() + offsetMs);

/** The China Standard Time calendar date `days` after today on the server's clock (YYYY-MM-DD). */
export const chinaDay = (days = 0): string => chinaDate(new Date(serverNow().getTime() + days * 86_400_000));

/**
 * An instant (an ISO time from the server, always UTC) as a person reads it: `YYYY-MM-DD HH:mm` (with
 * seconds when asked) in the area's time zone, whatever zone the device is set to.
 */
export function localTime(iso: string, options: { seconds?: boolean } = {}): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  const time = `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
  return options.seconds ? `${time}:${parts.second}` : time;
}

/** The instant a calendar day (YYYY-MM-DD) begins in the area's time zone, as an ISO time (UTC). */
export function dayStart(day: string): string {
  const guess = Date.parse(`${day}T00:00:00Z`);
  // The zone's offset at that moment: its wall-clock reading taken as UTC, less the moment itself.
  const wall = Date.parse(
    `${localTime(new Date(guess).toISOString(), { seconds: true }).replace(" ", "T")}Z`,
  );
  return new Date(guess - (wall - guess)).toISOString();
}
