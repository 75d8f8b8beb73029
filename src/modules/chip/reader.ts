import { randomBytes } from "node:crypto";
import { amountBytes, type PurchaseFields, terminalBytes } from "./purchase.ts";
import { authCryptogram, SSSE_AID } from "./virtual-card.ts";

/** Anything that answers command APDUs: a virtual card, or a real one through a PC/SC driver. */
export type CardChannel = { transmit: (apdu: Buffer) => Buffer | Promise<Buffer> };

/** Why a reader refuses a card, in the order the checks run before any transaction. */
export type ReaderRefusal =
  | "NOT_SOCIAL_SECURITY_CARD"
  | "CARD_AUTHENTICATION_FAILED"
  | "ISSUER_NOT_SUPPORTED"
  | "CARD_TYPE_NOT_SUPPORTED"
  | "SPEC_VERSION_NOT_SUPPORTED"
  | "CARD_EXPIRED"
  | "CARD_BLACKLISTED"
  | "PIN_NOT_VERIFIED"
  | "INSUFFICIENT_BALANCE"
  | "CARD_REFUSED_COMMAND";

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

export type AuthKeys = Readonly<{ internalAuth: Buffer; externalAuth: Buffer }>;

/**
 * What authenticates a card for the terminal: its PSAM (which computes the cryptograms under the card's
 * diversified keys and never gives a key out), or sscard's key service for a terminal without one.
 */
export type AuthSam = Readonly<{
  /** The cryptograms of `data` under the card's key for `usage`, one per key version held (newest first). */
  cryptograms: (
    cardIdCode: string,
    usage: "internal_auth" | "external_auth",
    data: Buffer,
  ) => Promise<readonly Readonly<{ version: number; value: Buffer }>[]>;
}>;

/** An AuthSam over the card's keys themselves (sscard's side, where the keys are at hand). */
export function keysSam(cardKeys: (cardIdCode: string) => Promise<AuthKeys | readonly AuthKeys[]>): AuthSam {
  return {
    async cryptograms(cardIdCode, usage, data) {
      const held = await cardKeys(cardIdCode);
      const sets: readonly AuthKeys[] = Array.isArray(held) ? held : [held as AuthKeys];
      return sets.map((k, version) => ({
        version,
        value: authCryptogram(usage === "internal_auth" ? k.internalAuth : k.externalAuth, data),
      }));
    },
  };
}

/** The terminal side: what authenticates the card, the blacklist, what it supports. */
export type ReaderConfig = Readonly<{
  terminalNo: string;
  deviceNo: string;
  sam: AuthSam;
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

async function record(card: CardChannel, sfi: number, rec: number): Promise<string | undefined> {
  const r = await card.transmit(Buffer.from([0x00, 0xb2, rec, (sfi << 3) | 4, 0x00]));
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
  const select = await card.transmit(
    Buffer.concat([Buffer.from("00A40400", "hex"), Buffer.from([SSSE_AID.length]), SSSE_AID]),
  );
  if (swOf(select) !== "9000") throw new ReaderError("NOT_SOCIAL_SECURITY_CARD");
  const cardIdCode = await record(card, 5, 1);
  if (!cardIdCode || !/^\d{6}D156000005[0-9A-F]{16}$/.test(cardIdCode))
    throw new ReaderError("NOT_SOCIAL_SECURITY_CARD");
  const region = cardIdCode.slice(0, 6);
  if (!config.supportedRegions.some((r) => region.startsWith(r)))
    throw new ReaderError("ISSUER_NOT_SUPPORTED");
  const random = randomBytes(8);
  const internal = await card.transmit(
    Buffer.concat([Buffer.from("00880001", "hex"), Buffer.from([8]), random]),
  );
  const matched =
    swOf(internal) === "9000"
      ? (await config.sam.cryptograms(cardIdCode, "internal_auth", random)).find((c) =>
          body(internal).equals(c.value),
        )
      : undefined;
  if (!matched) throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  const challenge = await card.transmit(Buffer.from("0084000008", "hex"));
  if (swOf(challenge) !== "9000") throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  const answer = (await config.sam.cryptograms(cardIdCode, "external_auth", body(challenge))).find(
    (c) => c.version === matched.version,
  );
  if (!answer) throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  const external = await card.transmit(
    Buffer.concat([Buffer.from("00820002", "hex"), Buffer.from([16]), answer.value]),
  );
  if (swOf(external) !== "9000") throw new ReaderError("CARD_AUTHENTICATION_FAILED");

  if ((await record(card, 5, 2)) !== "1") throw new ReaderError("CARD_TYPE_NOT_SUPPORTED");
  const specVersion = (await record(card, 5, 3)) ?? "";
  if (!["2.00", "2.01", "3.00"].includes(specVersion)) throw new ReaderError("SPEC_VERSION_NOT_SUPPORTED");
  const issueDate = (await record(card, 5, 5)) ?? "";
  const validUntil = (await record(card, 5, 6)) ?? "";
  if (validUntil < config.today().replaceAll("-", "")) throw new ReaderError("CARD_EXPIRED");
  if (await config.isBlacklisted(cardIdCode)) throw new ReaderError("CARD_BLACKLISTED");

  const fields = {
    region,
    ssn: (await record(card, 6, 8)) ?? "",
    cardNumber: (await record(card, 5, 7)) ?? "",
    cardIdCode,
    name: (await record(card, 6, 9)) ?? "",
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

const apdu = (header: string, data: Buffer, le?: number) =>
  Buffer.concat([
    Buffer.from(header, "hex"),
    Buffer.from([data.length]),
    data,
    le === undefined ? Buffer.alloc(0) : Buffer.from([le]),
  ]);

/** A PIN as the chip takes it: BCD, padded with F to whole bytes. */
const pinBcd = (pin: string) => Buffer.from(pin.length % 2 ? `${pin}F` : pin, "hex");

/** The chip's answer to a PIN command: accepted, or how many tries are left (0: blocked, 6983). */
export type PinResult = Readonly<{ ok: true } | { ok: false; triesLeft: number }>;

function pinResult(r: Buffer): PinResult {
  const code = swOf(r);
  if (code === "9000") return { ok: true };
  if (code === "6983") return { ok: false, triesLeft: 0 };
  if (code.startsWith("63C")) return { ok: false, triesLeft: Number.parseInt(code[3], 16) };
  throw new ReaderError("CARD_REFUSED_COMMAND");
}

/** VERIFY: checks the holder's PIN on the chip (after readCardBasic selected the application). */
export async function verifyPin(card: CardChannel, pin: string): Promise<PinResult> {
  return pinResult(await card.transmit(apdu("00200000", pinBcd(pin))));
}

/** CHANGE REFERENCE DATA: the old PIN then the new one (6 digits each). */
export async function changePin(card: CardChannel, oldPin: string, newPin: string): Promise<PinResult> {
  return pinResult(await card.transmit(apdu("00240000", Buffer.concat([pinBcd(oldPin), pinBcd(newPin)]))));
}

/**
 * PIN unblock: GET CHALLENGE, then the issuer's RESET RETRY COUNTER script for that challenge (made by
 * sscard's encryption machine; a counter or kiosk asks for it), sent to the card as it is.
 */
export async function unblockPin(
  card: CardChannel,
  script: (cardChallenge: string) => Promise<string>,
): Promise<void> {
  const challenge = await card.transmit(Buffer.from("0084000008", "hex"));
  if (swOf(challenge) !== "9000") throw new ReaderError("CARD_REFUSED_COMMAND");
  const r = await card.transmit(Buffer.from(await script(body(challenge).toString("hex")), "hex"));
  if (swOf(r) !== "9000") throw new ReaderError("CARD_REFUSED_COMMAND");
}

/** What a terminal's PSAM does in a debit: MAC1 for the card, and the check of the card's MAC2. */
export type PurchaseSam = Readonly<{
  purchaseMac1: (
    cardIdCode: string,
    init: { random: Buffer; counter: Buffer; keyVersion: number },
    fields: PurchaseFields,
  ) => Promise<{ mac1: Buffer; checkMac2: (mac2: Buffer) => boolean }>;
}>;

export type DebitResult = Readonly<{
  balanceBeforeFen: number;
  balanceAfterFen: number;
  /** The card's offline transaction counter before this debit. */
  counter: number;
  terminalTxnNo: string;
  date: string;
  time: string;
  /** The card's transaction authentication code, for sscard to check (`/purchases/tac-verification`). */
  tac: string;
}>;

/**
 * A debit of the card's medical purse (after verifyPin): INITIALIZE FOR PURCHASE, MAC1 from the PSAM,
 * DEBIT FOR PURCHASE, then the card's MAC2 checked by the PSAM. Returns the TAC to send to sscard.
 */
export async function debit(
  card: CardChannel,
  sam: PurchaseSam,
  input: { cardIdCode: string; terminalNo: string; amountFen: number; terminalTxnNo: number; at: Date },
): Promise<DebitResult> {
  const amount = amountBytes(input.amountFen);
  const terminalNo = terminalBytes(input.terminalNo);
  const init = await card.transmit(
    apdu("80500102", Buffer.concat([Buffer.from([0x04]), amount, terminalNo]), 0x0f),
  );
  const code = swOf(init);
  if (code === "9401") throw new ReaderError("INSUFFICIENT_BALANCE");
  if (code === "6982") throw new ReaderError("PIN_NOT_VERIFIED");
  if (code !== "9000") throw new ReaderError("CARD_REFUSED_COMMAND");
  const txn = Buffer.alloc(4);
  txn.writeUInt32BE(input.terminalTxnNo);
  // Terminal date and time are China time (UTC+8).
  const iso = new Date(input.at.getTime() + 8 * 3600_000).toISOString();
  const date = iso.slice(0, 10).replaceAll("-", "");
  const time = iso.slice(11, 19).replaceAll(":", "");
  const fields = {
    amount,
    terminalNo,
    terminalTxnNo: txn,
    date: Buffer.from(date, "hex"),
    time: Buffer.from(time, "hex"),
  };
  const mac = await sam.purchaseMac1(
    input.cardIdCode,
    { counter: init.subarray(4, 6), random: init.subarray(11, 15), keyVersion: init[9] },
    fields,
  );
  const r = await card.transmit(
    apdu("80540100", Buffer.concat([txn, fields.date, fields.time, mac.mac1]), 0x08),
  );
  if (swOf(r) !== "9000") throw new ReaderError("CARD_REFUSED_COMMAND");
  if (!mac.checkMac2(r.subarray(4, 8))) throw new ReaderError("CARD_AUTHENTICATION_FAILED");
  const before = init.readUInt32BE(0);
  return {
    balanceBeforeFen: before,
    balanceAfterFen: before - input.amountFen,
    counter: init.readUInt16BE(4),
    terminalTxnNo: txn.toString("hex").toUpperCase(),
    date,
    time,
    tac: r.subarray(0, 4).toString("hex").toUpperCase(),
  };
}
