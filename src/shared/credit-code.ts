/**
 * The unified social credit code (GB 32100-2015): 18 characters from a 31-character alphabet (digits
 * and capitals without I, O, S, V, Z): registration authority, entity type, the 6-digit region code of
 * the registering authority, the 9-character organisation code, and a check character. Check:
 * weights 3^i mod 31 over the first 17 character values; check = 31 − (sum mod 31), 31 → 0.
 */
const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = "length" | "character" | "check" | "region";

/** The check character for the first 17 characters (undefined when one is outside the alphabet). */
export function creditCodeCheck(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]);
    if (v < 0) return undefined;
    sum += v * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/**
 * Why a credit code is invalid, or undefined when it is valid. `regionExists` says whether the
 * embedded 6-digit region code is a GB/T 2260 code.
 */
export function creditCodeProblem(
  code: string,
  regionExists: (region: string) => boolean,
): CreditCodeProblem | undefined {
  if (code.length !== 18) return "length";
  if (![...code].every((c) => ALPHABET.includes(c))) return "character";
  if (creditCodeCheck(code.slice(0, 17)) !== code[17]) return "check";
  if (!/^\d{6}$/.test(code.slice(2, 8)) || !regionExists(code.slice(2, 8))) return "region";
  return undefined;
}
