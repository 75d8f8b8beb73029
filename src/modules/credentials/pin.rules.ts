import type { Actor } from "../../shared/auth.ts";
import type { Policy } from "../areas/areas.rules.ts";

export type { PasswordPurpose as Purpose } from "../cards/cards.rules.ts";
export { usableForPassword } from "../cards/cards.rules.ts";

/** The initial social security password by the area's policy: the last 6 digits of the card number, or a fixed value. */
export function initialPin(cardNumber: string, policy: Pick<Policy, "initialPassword">): string {
  if (policy.initialPassword.rule === "fixed") return policy.initialPassword.value;
  return cardNumber.replace(/\D/g, "").slice(-6).padStart(6, "0");
}

export type WeakReason =
  | "not_six_digits"
  | "same_digit"
  | "sequence"
  | "id_number"
  | "birth_date"
  | "initial";

/**
 * Why a new 6-digit password is refused: not six digits, all one digit, an ascending or descending run,
 * the last 6 characters of the ID number, the birth date (YYMMDD, MMDDYY, DDMMYY), or the initial value.
 */
export function weakPinReason(
  pin: string,
  holder: { idNumber: string; birthDate: string },
  initial?: string,
): WeakReason | undefined {
  if (!/^\d{6}$/.test(pin)) return "not_six_digits";
  if (/^(\d)\1{5}$/.test(pin)) return "same_digit";
  const steps = [...pin].slice(1).map((d, i) => (Number(d) - Number(pin[i]) + 10) % 10);
  if (steps.every((s) => s === 1) || steps.every((s) => s === 9)) return "sequence";
  if (holder.idNumber.slice(-6) === pin) return "id_number";
  const [y, m, d] = holder.birthDate.split("-");
  const yy = y.slice(2);
  if ([`${yy}${m}${d}`, `${m}${d}${yy}`, `${d}${m}${yy}`].includes(pin)) return "birth_date";
  if (initial !== undefined && pin === initial) return "initial";
  return undefined;
}

export type PinCounter = { failures: number; day: string | null };

/**
 * After a wrong password: the new counter and whether the password is now locked. Consecutive mode
 * counts wrong entries until a right one; daily mode counts wrong entries of one day.
 */
export function afterWrongPin(
  counter: PinCounter,
  lockout: Policy["lockout"],
  today: string,
): PinCounter & { locked: boolean } {
  const start = lockout.mode === "daily" && counter.day !== today ? 0 : counter.failures;
  const failures = start + 1;
  return { failures, day: today, locked: failures >= lockout.threshold };
}

/** Attempts left before the lock, for the message to the holder. */
export function attemptsLeft(counter: PinCounter, lockout: Policy["lockout"], today: string): number {
  const used = lockout.mode === "daily" && counter.day !== today ? 0 : counter.failures;
  return Math.max(lockout.threshold - used, 0);
}

/** Malicious-lockout guard: wrong passwords per terminal or source address in a window. */
export const THROTTLE = { windowSeconds: 600, maxFailures: 30 } as const;

/**
 * Online sign-in (the service hall, with an ID number and the password) is counted apart from the card:
 * at most 5 wrong passwords per card in a throttle window, then online password sign-in is refused
 * until the window ends. A stranger who knows only the ID number can neither lock the card (the
 * card's own counter is untouched) nor guess more than 5 times per window in all.
 */
export const ONLINE_SIGN_IN = { maxFailures: 5 } as const;

/** The start of the throttle window containing `now`. */
export function throttleWindow(now: Date): { start: string; end: string } {
  const ms = THROTTLE.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / ms) * ms;
  return { start: new Date(start).toISOString(), end: new Date(start + ms).toISOString() };
}

/**
 * A terminal or a kiosk never carries a PIN in clear: its PIN pad (or the kiosk's agent) enciphers it
 * into a PIN block. The same for a card of this province and, through the national hub, of another.
 */
export const clearPinRefused = (actor: Pick<Actor, "type" | "channel">) =>
  actor.type === "api_key" && (actor.channel === "terminal" || actor.channel === "kiosk");
