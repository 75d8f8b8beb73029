/** The source of "now"; services take it so tests can set the time. */
export type Clock = Readonly<{ now: () => Date }>;

export const systemClock: Clock = Object.freeze({ now: () => new Date() });

/**
 * A clock that starts at `start` and runs at the machine's pace: the server and the CLI run on it when
 * `SSCARD_CLOCK_START` is set (tests that start them as processes, drills on a copy of the data).
 */
export function startedClock(start: string | Date): Clock {
  const offset = new Date(start).getTime() - Date.now();
  return Object.freeze({ now: () => new Date(Date.now() + offset) });
}

/** A clock fixed at a time that tests can move. */
export function fixedClock(
  start: string | Date,
): Clock & { set: (t: string | Date) => void; advance: (ms: number) => void } {
  let current = new Date(start);
  return {
    now: () => new Date(current),
    set: (t) => {
      current = new Date(t);
    },
    advance: (ms) => {
      current = new Date(current.getTime() + ms);
    },
  };
}

/** A calendar date plus whole days (negative: minus), as YYYY-MM-DD. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The month before `month` (YYYY-MM). */
export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

/** Months from `from` to `to` inclusive (YYYY-MM). */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = [];
  let [y, m] = from.split("-").map(Number);
  const [ty, tm] = to.split("-").map(Number);
  while (y < ty || (y === ty && m <= tm)) {
    out.push(`${y}-${String(m).padStart(2, "0")}`);
    m++;
    if (m > 12) {
      m = 1;
      y++;
    }
  }
  return out;
}

/** The calendar date (YYYY-MM-DD) of an instant in China Standard Time, where every card-issuing area is. */
export function chinaDate(at: Date): string {
  // Asked several times per request: the day of the last China-time hour asked is remembered.
  const hour = Math.floor(at.getTime() / 3600_000);
  if (hour !== lastHour) {
    lastDay = new Date((hour + 8) * 3600_000).toISOString().slice(0, 10);
    lastHour = hour;
  }
  return lastDay;
}
let lastHour = Number.NaN;
let lastDay = "";
