import { parseIdNumber } from "../persons/id-number.rules.ts";
import type { RegionTable } from "../regions/regions.ts";

/**
 * The resident ID card as its reader's vendor SDK hands it over (GA 467 text record): 256 bytes of
 * UCS-2 little-endian text in fixed fields, each padded with spaces. The reader checks the card's own
 * security module; the kiosk's agent forwards the record. Pure: parsing, checking, and making one
 * (the simulator the tests and the demo use).
 */
export const ID_CARD_FIELDS = [
  ["name", 15],
  ["sex", 1],
  ["ethnicity", 2],
  ["birth", 8],
  ["address", 35],
  ["idNumber", 18],
  ["authority", 15],
  ["validFrom", 8],
  ["validUntil", 8],
  ["reserved", 18],
] as const;
export const ID_CARD_RECORD_BYTES = 256;

export type IdCardFacts = {
  name: string;
  /** "1" male, "2" female (GB/T 2261.1). */
  sex: string;
  /** GB 3304 code, e.g. "01". */
  ethnicity: string;
  /** YYYY-MM-DD. */
  birthDate: string;
  address: string;
  idNumber: string;
  authority: string;
  validFrom: string;
  /** YYYY-MM-DD, or "long_term" (长期). */
  validUntil: string;
};

export type IdCardProblem = "length" | "id_number" | "birth_differs" | "sex_differs" | "dates" | "expired";

const day = (yyyymmdd: string) => `${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`;

/** Reads and checks a record: its size, the ID number, that birth and sex agree with it, the validity today. */
export function parseIdCardRecord(
  record: Uint8Array,
  today: string,
  regions: RegionTable,
): { ok: true; facts: IdCardFacts } | { ok: false; problem: IdCardProblem } {
  if (record.length !== ID_CARD_RECORD_BYTES) return { ok: false, problem: "length" };
  const text = Buffer.from(record).toString("utf16le");
  const raw: Record<string, string> = {};
  let at = 0;
  for (const [field, chars] of ID_CARD_FIELDS) {
    raw[field] = text.slice(at, at + chars).trimEnd();
    at += chars;
  }
  const id = parseIdNumber(raw.idNumber, today, regions);
  if (!id.ok) return { ok: false, problem: "id_number" };
  if (raw.birth !== raw.idNumber.slice(6, 14)) return { ok: false, problem: "birth_differs" };
  if (raw.sex !== (Number(raw.idNumber[16]) % 2 === 1 ? "1" : "2"))
    return { ok: false, problem: "sex_differs" };
  const longTerm = raw.validUntil === "长期";
  if (!/^\d{8}$/.test(raw.validFrom) || (!longTerm && !/^\d{8}$/.test(raw.validUntil)))
    return { ok: false, problem: "dates" };
  const validUntil = longTerm ? "long_term" : day(raw.validUntil);
  if (!longTerm && validUntil < today) return { ok: false, problem: "expired" };
  return {
    ok: true,
    facts: {
      name: raw.name,
      sex: raw.sex,
      ethnicity: raw.ethnicity,
      birthDate: day(raw.birth),
      address: raw.address,
      idNumber: raw.idNumber.toUpperCase(),
      authority: raw.authority,
      validFrom: day(raw.validFrom),
      validUntil,
    },
  };
}

/** A record as a reader's SDK would return it (the simulator). */
export function idCardRecord(facts: IdCardFacts): Buffer {
  const values: Record<string, string> = {
    ...facts,
    birth: facts.birthDate.replaceAll("-", ""),
    validFrom: facts.validFrom.replaceAll("-", ""),
    validUntil: facts.validUntil === "long_term" ? "长期" : facts.validUntil.replaceAll("-", ""),
    reserved: "",
  };
  const text = ID_CARD_FIELDS.map(([field, chars]) => values[field].slice(0, chars).padEnd(chars, " ")).join(
    "",
  );
  return Buffer.from(text, "utf16le");
}
