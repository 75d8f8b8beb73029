import { randomBytes, randomInt } from "node:crypto";

// Card numbers: 8 characters from 0-9 A-Z, then an ISO/IEC 7064 MOD 37,36 check character.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/**
 * Whether a card number has the printed form: 9 capital letters or digits. Legacy cards keep the
 * numbers their old system printed, whose check character may follow another rule, so the form is
 * all that is asked of a number to look up (isValidCardNumber tells a mistyped one from an unknown).
 */
export function isWellFormedCardNumber(value: string): boolean {
  return /^[0-9A-Z]{9}$/.test(value);
}

/**
 * ISO/IEC 7064 MOD 37,36 (hybrid system for alphanumeric strings): the check character that makes
 * the whole string verify. Catches every single substitution and every adjacent transposition.
 */
export function cardNumberCheckCharacter(body: string): string {
  const m = 36;
  let p = m;
  for (const ch of body) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) throw new Error(`not a card-number character: ${ch}`);
    let s = (p + v) % m;
    if (s === 0) s = m;
    p = (s * 2) % (m + 1);
  }
  return ALPHABET[(m + 1 - p) % m];
}

/** Whether a printed card number is well formed and its check character right. */
export function isValidCardNumber(value: string): boolean {
  return /^[0-9A-Z]{9}$/.test(value) && cardNumberCheckCharacter(value.slice(0, 8)) === value[8];
}

/**
 * A new random card number: a capital letter, 7 digits, the check character (the form printed on
 * cards in use, which also gives the initial password enough digits). Uniqueness is the database's job.
 */
export function newCardNumber(random: (n: number) => number = randomInt): string {
  let body = ALPHABET[10 + random(26)];
  for (let i = 0; i < 7; i++) body += ALPHABET[random(10)];
  return body + cardNumberCheckCharacter(body);
}

/** Card identification code: the issuing area's region code, `D156000005`, 16 hex characters unique to the card. */
export function newCardIdCode(areaCode: string, random: () => Buffer = () => randomBytes(8)): string {
  return `${areaCode}D156000005${random().toString("hex").toUpperCase()}`;
}

export function isValidCardIdCode(value: string): boolean {
  return /^\d{6}D156000005[0-9A-F]{16}$/.test(value);
}
