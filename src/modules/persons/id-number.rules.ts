import type { RegionTable } from "../regions/regions.ts";

/** What a valid citizen ID number tells: the GB 11643 parts and what derives from them. */
export type IdNumberFacts = Readonly<{
  idNumber: string;
  regionCode: string;
  birthDate: string;
  sequence: string;
  sex: "M" | "F";
}>;

/** Which part of an ID number is wrong. */
export type IdNumberProblem = "length" | "format" | "region" | "date" | "check";

export type IdNumberResult = { ok: true; facts: IdNumberFacts } | { ok: false; problem: IdNumberProblem };

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = "10X98765432";

/** ISO 7064 MOD 11-2 check character over the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

function isRealDate(yyyymmdd: string): boolean {
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < 1900 || m < 1 || m > 12 || d < 1) return false;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  return d <= days;
}

/**
 * Validates an 18-character citizen ID number (GB 11643) fully: length and form, the region code
 * against GB/T 2260, a real birth date not after `today` (YYYY-MM-DD), the check character.
 * A lower-case x is accepted and normalised to X.
 */
export function parseIdNumber(input: string, today: string, regions: RegionTable): IdNumberResult {
  const value = input.trim().toUpperCase();
  if (value.length !== 18) return { ok: false, problem: "length" };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: "format" };
  const regionCode = value.slice(0, 6);
  if (!regions.get(regionCode)) return { ok: false, problem: "region" };
  const birth = value.slice(6, 14);
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (!isRealDate(birth) || birthDate > today) return { ok: false, problem: "date" };
  if (idCheckCharacter(value) !== value[17]) return { ok: false, problem: "check" };
  const sequence = value.slice(14, 17);
  return {
    ok: true,
    facts: { idNumber: value, regionCode, birthDate, sequence, sex: Number(sequence) % 2 === 1 ? "M" : "F" },
  };
}

/** Builds a valid ID number from its parts (demo data and tests). */
export function makeIdNumber(regionCode: string, birthDate: string, sequence: number): string {
  const first17 = `${regionCode}${birthDate.replaceAll("-", "")}${String(sequence).padStart(3, "0")}`;
  return first17 + idCheckCharacter(first17);
}
