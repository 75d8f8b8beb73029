import type { KeyType } from "../keys/derivation.ts";
import type { CardImage } from "./virtual-card.ts";

/** What personalisation needs of a card and its holder (the factory file's fields). */
export type PersonalisationData = Readonly<{
  cardIdCode: string;
  cardNumber: string;
  cardType: string;
  specVersion: string;
  issuerId: string;
  issueDate: string;
  validUntil: string;
  idNumber: string;
  name: string;
  sex: "M" | "F";
  ethnicity: string;
  birthDate: string;
  initialPin: string;
}>;

const compact = (date: string) => date.replaceAll("-", "");

/** A row of the production (factory) file as personalisation data (see docs/cards.md for its columns). */
export function fromFactoryRow(
  row: Readonly<Record<string, string>>,
  initialPin: string,
): PersonalisationData {
  return {
    cardIdCode: row.card_id_code,
    cardNumber: row.card_number,
    cardType: row.card_type,
    specVersion: row.spec_version,
    issuerId: row.issuer_id,
    issueDate: row.issue_date,
    validUntil: row.valid_until,
    idNumber: row.id_number,
    name: row.name,
    sex: row.sex === "F" ? "F" : "M",
    ethnicity: row.ethnicity,
    birthDate: row.birth_date,
    initialPin,
  };
}

/** The card's keys by key identifier, and the type of city key each is diversified from. */
export const CARD_KEY_TYPES = {
  1: "internal_auth",
  2: "external_auth",
  3: "pin_unblock",
  4: "purchase",
  5: "mac",
  6: "application_maintenance",
} as const satisfies Record<number, KeyType>;

export type CardKeyId = keyof typeof CARD_KEY_TYPES;

/**
 * The chip image personalisation writes: EF05 card data, EF06 holder data, the card's diversified keys
 * by identifier (01 internal and 02 external authentication, 03 PIN unblock, 04 purchase, 05 TAC, 06
 * application maintenance), their key version, the holder's SM2 key pair (spec 3.00), a purse's
 * opening balance, and the initial PIN with 6 tries.
 */
export function personalise(
  data: PersonalisationData,
  keys: Partial<Record<CardKeyId, Buffer>>,
  options: {
    keyVersion: number;
    holderKey?: { privateKey: string; publicKey: string };
    purse?: { balanceFen: number };
  },
): CardImage {
  return {
    ef05: {
      1: data.cardIdCode,
      2: data.cardType === "standard" ? "1" : data.cardType,
      3: data.specVersion,
      4: data.issuerId,
      5: compact(data.issueDate),
      6: compact(data.validUntil),
      7: data.cardNumber,
    },
    ef06: {
      8: data.idNumber,
      9: data.name,
      10: data.sex === "M" ? "1" : "2",
      11: data.ethnicity,
      12: data.idNumber.slice(0, 6),
      13: compact(data.birthDate),
    },
    keys: Object.fromEntries(
      Object.entries(keys)
        .filter((entry): entry is [string, Buffer] => entry[1] !== undefined)
        .map(([id, key]) => [Number(id), key.toString("hex")]),
    ),
    keyVersion: options.keyVersion,
    ...(options.holderKey ? { holderKey: options.holderKey } : {}),
    ...(options.purse ? { purse: { balance: options.purse.balanceFen, counter: 0 } } : {}),
    pin: data.initialPin,
    pinTriesLeft: 6,
    pinTriesMax: 6,
  };
}
