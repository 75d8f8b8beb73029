import type { ChipData } from "../cards/cards.deps.ts";
import { type KeyType, keyCheckValue } from "../keys/derivation.ts";
import { pinOfTransportBlock, unwrapUnderTransport } from "../keys/transport.ts";
import type { CardImage } from "./virtual-card.ts";

/** What personalisation needs of a card and its holder (the factory file's fields) and the initial PIN. */
export type PersonalisationData = ChipData & Readonly<{ initialPin: string }>;

const compact = (date: string) => date.replaceAll("-", "");

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

/** A wrapped key as the card factory receives it: enciphered under its transport key, with its check value. */
export type TransportedKey = Readonly<{ wrapped: string; kcv: string }>;

/**
 * One card of the personalisation file sent with a production batch (one JSON object per line): the
 * file contents, the card keys, the initial PIN and (spec 3.00) the holder's SM2 private key, each
 * enciphered under the factory's transport key, the key version, and the holder certificate to write.
 */
export type FactoryRecord = Readonly<{
  format: "sscard-personalisation/1";
  cardIdCode: string;
  cardNumber: string;
  /** The label of the transport key everything here is wrapped under. */
  transportKey: string;
  keyVersion: number;
  ef05: Record<number, string>;
  ef06: Record<number, string>;
  /** Card keys by identifier ("01" … "06"). */
  keys: Record<string, TransportedKey>;
  /** The initial PIN as a format 2 block with 8 random bytes (see src/modules/keys/transport.ts). */
  pin: TransportedKey;
  holderKey?: Readonly<{ privateKey: TransportedKey; publicKey: string }>;
  certificate?: unknown;
}>;

/** The personalisation file's record of a chip image (the clear keys wrapped by `wrap`). */
export function factoryRecord(
  image: CardImage,
  transport: { transportKey: string; wrap: (key: Buffer) => TransportedKey },
  pinBlock: Buffer,
  certificate?: unknown,
): FactoryRecord {
  return {
    format: "sscard-personalisation/1",
    cardIdCode: image.ef05[1],
    cardNumber: image.ef05[7],
    transportKey: transport.transportKey,
    keyVersion: image.keyVersion ?? 1,
    ef05: image.ef05,
    ef06: image.ef06,
    keys: Object.fromEntries(
      Object.entries(image.keys).map(([id, hex]) => [
        id.padStart(2, "0"),
        transport.wrap(Buffer.from(hex, "hex")),
      ]),
    ),
    pin: transport.wrap(pinBlock),
    ...(image.holderKey
      ? {
          holderKey: {
            privateKey: transport.wrap(Buffer.from(image.holderKey.privateKey.padStart(64, "0"), "hex")),
            publicKey: image.holderKey.publicKey,
          },
        }
      : {}),
    ...(certificate ? { certificate } : {}),
  };
}

export class FactoryRecordError extends Error {}

/**
 * What the card factory writes into a chip from a personalisation record, with the transport key it
 * built from its custodians' components: every key unwrapped and checked against its check value (a
 * mismatch stops the card), the PIN with 6 tries, an opening purse balance if the factory loads one.
 */
export function imageFromFactoryRecord(
  record: FactoryRecord,
  transportKey: Buffer,
  options: { purseFen?: number } = {},
): CardImage {
  const open = (what: string, k: TransportedKey) => {
    const clear = unwrapUnderTransport(transportKey, k.wrapped);
    if (keyCheckValue("SM4", clear.subarray(0, 16)) !== k.kcv)
      throw new FactoryRecordError(`${record.cardIdCode}: ${what} does not match its check value`);
    return clear;
  };
  const pin = pinOfTransportBlock(open("the PIN", record.pin));
  return {
    ef05: record.ef05,
    ef06: record.ef06,
    keys: Object.fromEntries(
      Object.entries(record.keys).map(([id, k]) => [Number(id), open(`key ${id}`, k).toString("hex")]),
    ),
    keyVersion: record.keyVersion,
    ...(record.holderKey
      ? {
          holderKey: {
            privateKey: open("the holder key", record.holderKey.privateKey).toString("hex"),
            publicKey: record.holderKey.publicKey,
          },
        }
      : {}),
    ...(options.purseFen === undefined ? {} : { purse: { balance: options.purseFen, counter: 0 } }),
    pin,
    pinTriesLeft: 6,
    pinTriesMax: 6,
  };
}
