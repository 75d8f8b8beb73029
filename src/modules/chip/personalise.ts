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

/**
 * The chip image personalisation writes: EF05 card data, EF06 holder data, the card's diversified
 * authentication keys (key 01 internal, 02 external), for a purse its purchase (04) and TAC (05) keys
 * and opening balance, and the initial PIN with 6 tries.
 */
export function personalise(
  data: PersonalisationData,
  keys: { internalAuth: Buffer; externalAuth: Buffer; purchase?: Buffer; tac?: Buffer },
  purse?: { balanceFen: number },
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
      [
        [1, keys.internalAuth],
        [2, keys.externalAuth],
        [4, keys.purchase],
        [5, keys.tac],
      ]
        .filter((entry): entry is [number, Buffer] => entry[1] !== undefined)
        .map(([id, key]) => [id, key.toString("hex")]),
    ),
    ...(purse ? { purse: { balance: purse.balanceFen, counter: 0 } } : {}),
    pin: data.initialPin,
    pinTriesLeft: 6,
    pinTriesMax: 6,
  };
}
