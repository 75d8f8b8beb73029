import { randomBytes } from "node:crypto";
import { authCryptogram, SSSE_AID } from "./virtual-card.ts";

/** Anything that answers command APDUs: a virtual card, or a real one through a PC/SC driver. */
export type CardChannel = { transmit: (apdu: Buffer) => Buffer };

/** Why a reader refuses a card, in the order the checks run before any transaction. */
export type ReaderRefusal =
  | "NOT_SOCIAL_SECURITY_CARD"
  | "CARD_AUTHENTICATION_FAILED"
  | "ISSUER_NOT_SUPPORTED"
  | "CARD_TYPE_NOT_SUPPORTED"
  | "SPEC_VERSION_NOT_SUPPORTED"
  | "CARD_EXPIRED"
  | "CARD_BLACKLISTED";

export class ReaderError extends Error {
  readonly refusal: ReaderRefusal;
  constructor(refusal: ReaderRefusal) {
    super(refusal);
    this.refusal = refusal;
  }
}

/** The fields of the hospitals' `iReadCardBas`, and its pipe-delimited string. */
export type CardBasic = Readonly<{
  region: string;
  ssn: string;
  cardNumber: string;
  cardIdCode: string;
  name: string;
  atrHistorical: string;
  specVersion: string;
  issueDate: string;
  validUntil: string;
  terminalNo: string;
  deviceNo: string;
  pipe: string;
}>;

/** The terminal side: its PSAM's keys (by card identification code), the blacklist, what it supports. */
export type ReaderConfig = Readonly<{
  terminalNo: string;
  deviceNo: string;
  cardKeys: (cardIdCode: string) => Promise<{ internalAuth: Buffer; externalAuth: Buffer }>;
  isBlacklisted: (cardIdCode: string) => Promise<boolean>;
  supportedRegions: readonly string[];
  today: () => string;
}>;

const swOf = (r: Buffer) =>
  r
    .subarray(r.length - 2)
    .toString("hex")
    .toUpperCase();
const body = (r: Buffer) => r.subarray(0, r.length - 2);

function record(card: CardChannel, sfi: number, rec: number): string | undefined {
  const r = card.transmit(Buffer.from([0x00, 0xb2, rec, (sfi << 3) | 4, 0x00]));
  if (swOf(r) !== "9000") return undefined;
  const tlv = body(r);
  return tlv.subarray(2, 2 + tlv[1]).toString("utf8");
}

/**
 * Reads a card's basic data the way a hospital terminal does: select the social security application,
 * authenticate the card (internal authentication) and itself to the card (external authentication),
 * check issuer, card type, spec version, validity and the blacklist, then read the holder data.
 */
export async function readCardBasic(card: CardChannel, config: ReaderConfig): Promise<CardBasic> {
  const select = card.transmit(
    Buffer.concat([Buffer.from("00A40400", "hex"), Buffer.from([SSSE_AID.length]), SSSE_AID]),
  );
  if (swOf(select) !== "9000") throw new ReaderError("NOT_SOCIAL_SECURITY_CARD");
  const cardIdCode = record(card, 5, 1);
  if (!cardIdCode || !/^\d{6}D156000005[0-9A-F]{16}$/.test(cardIdCode))
    throw new ReaderError("NOT_SOCIAL_SECURITY_CARD");
  const region = cardIdCode.slice(0, 6);
  if (!config.supportedRegions.some((r) => region.startsWith(r)))
    throw new ReaderError("ISSUER_NOT_SUPPORTED");
  const keys = await config.cardKeys(cardIdCode);

  const random = randomBytes(8);
  const internal = card.transmit(Buffer.concat([Buffer.from("00880001", "hex"), Buffer.from([8]), random]));
  if (swOf(internal) !== "9000" || !body(internal).equals(authCryptogram(keys.internalAuth, random))) {
    throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  }
  const challenge = card.transmit(Buffer.from("0084000008", "hex"));
  if (swOf(challenge) !== "9000") throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  const external = card.transmit(
    Buffer.concat([
      Buffer.from("00820002", "hex"),
      Buffer.from([16]),
      authCryptogram(keys.externalAuth, body(challenge)),
    ]),
  );
  if (swOf(external) !== "9000") throw new ReaderError("CARD_AUTHENTICATION_FAILED");

  if (record(card, 5, 2) !== "1") throw new ReaderError("CARD_TYPE_NOT_SUPPORTED");
  const specVersion = record(card, 5, 3) ?? "";
  if (!["2.00", "2.01", "3.00"].includes(specVersion)) throw new ReaderError("SPEC_VERSION_NOT_SUPPORTED");
  const issueDate = record(card, 5, 5) ?? "";
  const validUntil = record(card, 5, 6) ?? "";
  if (validUntil < config.today().replaceAll("-", "")) throw new ReaderError("CARD_EXPIRED");
  if (await config.isBlacklisted(cardIdCode)) throw new ReaderError("CARD_BLACKLISTED");

  const fields = {
    region,
    ssn: record(card, 6, 8) ?? "",
    cardNumber: record(card, 5, 7) ?? "",
    cardIdCode,
    name: record(card, 6, 9) ?? "",
    atrHistorical: "",
    specVersion,
    issueDate,
    validUntil,
    terminalNo: config.terminalNo,
    deviceNo: config.deviceNo,
  };
  const pipe = `${[fields.region, fields.ssn, fields.cardNumber, fields.cardIdCode, fields.name, fields.atrHistorical, fields.specVersion, fields.issueDate, fields.validUntil, fields.terminalNo, fields.deviceNo].join("|")}|`;
  return { ...fields, pipe };
}
