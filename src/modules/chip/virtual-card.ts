import { createCipheriv, randomBytes, timingSafeEqual } from "node:crypto";
import { sm2 } from "sm-crypto-v2";
import { SM2_USER_ID } from "../keys/signer.ts";
import { mac1, mac2, purchaseSessionKey, tac } from "./purchase.ts";
import { commandMac, smSessionKey } from "./secure-messaging.ts";

/**
 * A software chip of the social security application (SSSE), answering ISO 7816-4 command APDUs with
 * the status words a terminal expects. It never throws on input: anything malformed gets its status
 * word. Used by tests, the kiosk and the demo. Keys are SM4 (spec 3.00).
 */

/** The application identifier: `sx1.sh.` and 社会保障 in GBK. */
export const SSSE_AID = Buffer.from("7378312E73682EC9E7BBE1B1A3D5CF", "hex");

export const SW = {
  OK: "9000",
  WRONG_LENGTH: "6700",
  SECURITY_NOT_SATISFIED: "6982",
  AUTH_BLOCKED: "6983",
  SM_WRONG: "6988",
  CONDITIONS_NOT_SATISFIED: "6985",
  WRONG_DATA: "6A80",
  FILE_NOT_FOUND: "6A82",
  RECORD_NOT_FOUND: "6A83",
  WRONG_P1P2: "6A86",
  INS_NOT_SUPPORTED: "6D00",
  CLA_NOT_SUPPORTED: "6E00",
} as const;

/** What personalisation writes: the card data (EF05), the holder data (EF06), the card's keys and PIN. */
export type CardImage = {
  /** EF05 records by number: 01 card identification code … 07 card number. */
  ef05: Record<number, string>;
  /** EF06 records by number: 08 social security number, 09 name, 0A sex, 0B ethnicity, 0C birthplace, 0D birth date (BCD). */
  ef06: Record<number, string>;
  /**
   * Card keys (hex, 16 bytes) by key identifier: 01 internal authentication, 02 external
   * authentication, 03 PIN unblock, 04 purchase, 05 TAC, 06 application maintenance.
   */
  keys: Record<number, string>;
  /** The version of the city keys the card keys were diversified from. */
  keyVersion?: number;
  /** The holder's SM2 key pair (spec 3.00), generated at personalisation; the private key never leaves the chip. */
  holderKey?: { privateKey: string; publicKey: string };
  pin: string;
  pinTriesLeft: number;
  pinTriesMax: number;
  /** The medical purse: balance in fen and the offline transaction counter (keys 04 purchase, 05 TAC). */
  purse?: { balance: number; counter: number };
};

const sw = (code: string, data: Buffer = Buffer.alloc(0)) => Buffer.concat([data, Buffer.from(code, "hex")]);

function sm4(key: Buffer, block: Buffer): Buffer {
  const c = createCipheriv("sm4-ecb", key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(block), c.final()]);
}

/** ISO 9797-1 padding method 2 to one 16-byte block. */
export const pad16 = (data: Buffer) =>
  Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(15 - data.length)]).subarray(0, 16);

/** The cryptogram of authentication: SM4 of the 8-byte random with padding, under the key. */
export function authCryptogram(key: Buffer, random8: Buffer): Buffer {
  return sm4(key, pad16(random8));
}

/** The PIN-unblock cryptogram: SM4 under the card's PIN-unblock key of challenge ‖ new PIN (BCD), padded. */
export function unblockCryptogram(key: Buffer, challenge8: Buffer, newPinBcd: Buffer): Buffer {
  return sm4(key, pad16(Buffer.concat([challenge8, newPinBcd])));
}

/** What a powered card remembers between commands: the selected file and the security states reached. */
export type VirtualCardSession = Readonly<{
  selected: "mf" | "ssse" | "ef05" | "ef06";
  externalAuthenticated: boolean;
  pinVerified: boolean;
}>;

/**
 * A virtual card; `transmit` takes a command APDU and returns the response APDU (data ‖ SW1 SW2).
 * `resume` powers it up in a session saved earlier (a reader slot kept between requests).
 */
export function createVirtualCard(
  image: CardImage,
  random: (n: number) => Buffer = randomBytes,
  resume?: VirtualCardSession,
) {
  let selected: VirtualCardSession["selected"] = resume?.selected ?? "mf";
  let challenge: Buffer | undefined;
  let externalAuthenticated = resume?.externalAuthenticated ?? false;
  let pinVerified = resume?.pinVerified ?? false;

  function readRecord(p1: number, p2: number, le: number | undefined): Buffer {
    const sfi = p2 >> 3;
    if ((p2 & 0x07) !== 0x04) return sw(SW.WRONG_P1P2);
    const file = sfi === 0 ? selected : sfi === 5 ? "ef05" : sfi === 6 ? "ef06" : undefined;
    if (selected === "mf") return sw(SW.CONDITIONS_NOT_SATISFIED);
    if (file !== "ef05" && file !== "ef06") return sw(SW.FILE_NOT_FOUND);
    // The holder file needs the terminal authenticated (external authentication) first.
    if (file === "ef06" && !externalAuthenticated) return sw(SW.SECURITY_NOT_SATISFIED);
    const value = (file === "ef05" ? image.ef05 : image.ef06)[p1];
    if (value === undefined) return sw(SW.RECORD_NOT_FOUND);
    const body = Buffer.from(value, "utf8");
    const tlv = Buffer.concat([Buffer.from([p1, body.length]), body]);
    if (le !== undefined && le !== 0 && le < tlv.length)
      return sw(`6C${tlv.length.toString(16).padStart(2, "0").toUpperCase()}`);
    return sw(SW.OK, tlv);
  }

  let pendingPurchase: { amount: Buffer; terminalNo: Buffer; random: Buffer; counter: Buffer } | undefined;

  /** INITIALIZE FOR PURCHASE (80 50) and DEBIT FOR PURCHASE (80 54) of the medical purse. */
  function purchase(ins: number, p1: number, p2: number, data: Buffer): Buffer {
    const purse = image.purse;
    const purchaseKey = image.keys[0x04];
    const tacKey = image.keys[0x05];
    if (!purse || !purchaseKey || !tacKey) return sw(SW.INS_NOT_SUPPORTED);
    if (selected === "mf") return sw(SW.CONDITIONS_NOT_SATISFIED);
    if (ins === 0x50) {
      if (p1 !== 0x01 || p2 !== 0x02) return sw(SW.WRONG_P1P2);
      if (data.length !== 11 || data[0] !== 0x04) return sw(SW.WRONG_LENGTH);
      if (!pinVerified) return sw(SW.SECURITY_NOT_SATISFIED);
      const amount = data.subarray(1, 5);
      if (amount.readUInt32BE() > purse.balance) return sw("9401");
      const counter = Buffer.alloc(2);
      counter.writeUInt16BE(purse.counter & 0xffff);
      const rnd = random(4);
      pendingPurchase = { amount, terminalNo: data.subarray(5, 11), random: rnd, counter };
      const balance = Buffer.alloc(4);
      balance.writeUInt32BE(purse.balance);
      // balance ‖ counter ‖ overdraft limit (3) ‖ key version ‖ algorithm (04: SM4) ‖ random
      const version = Buffer.from([image.keyVersion ?? 1, 0x04]);
      return sw(SW.OK, Buffer.concat([balance, counter, Buffer.alloc(3), version, rnd]));
    }
    if (ins === 0x54) {
      if (p1 !== 0x01 || p2 !== 0x00) return sw(SW.WRONG_P1P2);
      if (data.length !== 15) return sw(SW.WRONG_LENGTH);
      const pending = pendingPurchase;
      pendingPurchase = undefined;
      if (!pending) return sw(SW.CONDITIONS_NOT_SATISFIED);
      const fields = {
        amount: pending.amount,
        terminalNo: pending.terminalNo,
        terminalTxnNo: data.subarray(0, 4),
        date: data.subarray(4, 8),
        time: data.subarray(8, 11),
      };
      const sessionKey = purchaseSessionKey(
        Buffer.from(purchaseKey, "hex"),
        pending.random,
        pending.counter,
        fields.terminalTxnNo,
      );
      if (!timingSafeEqual(mac1(sessionKey, fields), data.subarray(11, 15))) return sw("9302");
      purse.balance -= pending.amount.readUInt32BE();
      purse.counter += 1;
      return sw(SW.OK, Buffer.concat([tac(Buffer.from(tacKey, "hex"), fields), mac2(sessionKey, fields)]));
    }
    return sw(SW.INS_NOT_SUPPORTED);
  }

  /**
   * UPDATE RECORD with secure messaging (04 DC): record TLV ‖ MAC under the session key from the
   * card's maintenance key (06) and its last challenge (one attempt per challenge). The holder file
   * only; the card data (EF05) is fixed at personalisation.
   */
  function updateRecord(header: Buffer, p1: number, p2: number, data: Buffer): Buffer {
    const key = image.keys[0x06];
    if (!key) return sw(SW.INS_NOT_SUPPORTED);
    if ((p2 & 0x07) !== 0x04) return sw(SW.WRONG_P1P2);
    if (selected === "mf") return sw(SW.CONDITIONS_NOT_SATISFIED);
    const sfi = p2 >> 3;
    if (sfi !== 5 && sfi !== 6) return sw(SW.FILE_NOT_FOUND);
    if (data.length < 7) return sw(SW.WRONG_LENGTH);
    if (challenge?.length !== 8) return sw(SW.CONDITIONS_NOT_SATISFIED);
    const session = smSessionKey(Buffer.from(key, "hex"), challenge);
    challenge = undefined;
    const tlv = data.subarray(0, data.length - 4);
    if (!timingSafeEqual(commandMac(session, header, tlv), data.subarray(data.length - 4)))
      return sw(SW.SM_WRONG);
    if (sfi === 5) return sw(SW.SECURITY_NOT_SATISFIED);
    if (tlv[0] !== p1 || tlv[1] !== tlv.length - 2) return sw(SW.WRONG_DATA);
    if (image.ef06[p1] === undefined) return sw(SW.RECORD_NOT_FOUND);
    image.ef06[p1] = tlv.subarray(2).toString("utf8");
    return sw(SW.OK);
  }

  function process(apdu: Buffer): Buffer {
    if (apdu.length < 4) return sw(SW.WRONG_LENGTH);
    const [cla, ins, p1, p2] = apdu;
    if (cla !== 0x00 && cla !== 0x80 && !(cla === 0x04 && ins === 0xdc)) return sw(SW.CLA_NOT_SUPPORTED);
    // Case 1: no body; case 2: Le; case 3: Lc + data; case 4: Lc + data + Le (short APDUs only).
    let data: Buffer = Buffer.alloc(0);
    let le: number | undefined;
    if (apdu.length === 5) le = apdu[4];
    else if (apdu.length > 5) {
      const lc = apdu[4];
      if (lc === 0 || apdu.length < 5 + lc || apdu.length > 6 + lc) return sw(SW.WRONG_LENGTH);
      data = apdu.subarray(5, 5 + lc);
      if (apdu.length === 6 + lc) le = apdu[5 + lc];
    }
    if (cla === 0x80) return purchase(ins, p1, p2, data);
    if (cla === 0x04) return updateRecord(apdu.subarray(0, 4), p1, p2, data);
    switch (ins) {
      case 0xa4: {
        if (p1 === 0x04 && p2 === 0x00) {
          if (!data.equals(SSSE_AID)) return sw(SW.FILE_NOT_FOUND);
          selected = "ssse";
          externalAuthenticated = false;
          pinVerified = false;
          return sw(SW.OK);
        }
        if (p1 === 0x00 && p2 === 0x00) {
          if (data.length !== 2) return sw(SW.WRONG_LENGTH);
          const fid = data.toString("hex").toUpperCase();
          if (fid === "3F00") {
            selected = "mf";
            return sw(SW.OK);
          }
          if (selected === "mf") return sw(SW.FILE_NOT_FOUND);
          if (fid === "EF05") selected = "ef05";
          else if (fid === "EF06") selected = "ef06";
          else return sw(SW.FILE_NOT_FOUND);
          return sw(SW.OK);
        }
        return sw(SW.WRONG_P1P2);
      }
      case 0xb2:
        if (data.length) return sw(SW.WRONG_LENGTH);
        return readRecord(p1, p2, le);
      case 0x84: {
        if (p1 !== 0 || p2 !== 0) return sw(SW.WRONG_P1P2);
        if (le !== 0x08 && le !== 0x04) return sw(SW.WRONG_LENGTH);
        challenge = random(le);
        return sw(SW.OK, challenge);
      }
      case 0x82: {
        // EXTERNAL AUTHENTICATE: the terminal proves it holds the card's external-authentication key.
        const key = image.keys[p2];
        if (p1 !== 0 || !key) return sw(SW.WRONG_P1P2);
        if (data.length !== 16) return sw(SW.WRONG_LENGTH);
        if (!challenge) return sw(SW.CONDITIONS_NOT_SATISFIED);
        const expected = authCryptogram(Buffer.from(key, "hex"), challenge);
        // A challenge is good for one attempt: a replay finds none.
        challenge = undefined;
        if (!timingSafeEqual(expected, data)) return sw(SW.SECURITY_NOT_SATISFIED);
        externalAuthenticated = true;
        return sw(SW.OK);
      }
      case 0x88: {
        // INTERNAL AUTHENTICATE: the card proves it holds its internal-authentication key.
        const key = image.keys[p2];
        if (p1 !== 0 || !key) return sw(SW.WRONG_P1P2);
        if (data.length !== 8) return sw(SW.WRONG_LENGTH);
        return sw(SW.OK, authCryptogram(Buffer.from(key, "hex"), data));
      }
      case 0x20: {
        if (p1 !== 0 || p2 !== 0) return sw(SW.WRONG_P1P2);
        if (selected === "mf") return sw(SW.CONDITIONS_NOT_SATISFIED);
        if (image.pinTriesLeft === 0) return sw(SW.AUTH_BLOCKED);
        if (data.length === 0) return sw(`63C${image.pinTriesLeft.toString(16).toUpperCase()}`);
        if (data.length < 2 || data.length > 6) return sw(SW.WRONG_LENGTH);
        const pin = data.toString("hex").replace(/F+$/i, "");
        if (!/^\d{4,12}$/.test(pin)) return sw(SW.WRONG_DATA);
        if (pin !== image.pin) {
          image.pinTriesLeft -= 1;
          pinVerified = false;
          return sw(
            image.pinTriesLeft === 0
              ? SW.AUTH_BLOCKED
              : `63C${image.pinTriesLeft.toString(16).toUpperCase()}`,
          );
        }
        image.pinTriesLeft = image.pinTriesMax;
        pinVerified = true;
        return sw(SW.OK);
      }
      case 0x24: {
        // CHANGE REFERENCE DATA: old PIN ‖ new PIN, 3 BCD bytes each (6 digits).
        if (p1 !== 0 || p2 !== 0) return sw(SW.WRONG_P1P2);
        if (selected === "mf") return sw(SW.CONDITIONS_NOT_SATISFIED);
        if (data.length !== 6) return sw(SW.WRONG_LENGTH);
        if (image.pinTriesLeft === 0) return sw(SW.AUTH_BLOCKED);
        const [oldPin, newPin] = [data.subarray(0, 3).toString("hex"), data.subarray(3).toString("hex")];
        if (!/^\d{6}$/.test(oldPin) || !/^\d{6}$/.test(newPin)) return sw(SW.WRONG_DATA);
        if (oldPin !== image.pin) {
          image.pinTriesLeft -= 1;
          return sw(
            image.pinTriesLeft === 0
              ? SW.AUTH_BLOCKED
              : `63C${image.pinTriesLeft.toString(16).toUpperCase()}`,
          );
        }
        image.pin = newPin;
        image.pinTriesLeft = image.pinTriesMax;
        return sw(SW.OK);
      }
      case 0x2c: {
        // RESET RETRY COUNTER (PIN unblock): new PIN (3 BCD bytes) ‖ SM4 cryptogram under the card's
        // PIN-unblock key (03) over the card's last challenge and the new PIN; one attempt per challenge.
        const key = image.keys[0x03];
        if (p1 !== 0 || p2 !== 0 || !key) return sw(SW.WRONG_P1P2);
        if (data.length !== 19) return sw(SW.WRONG_LENGTH);
        if (challenge?.length !== 8) return sw(SW.CONDITIONS_NOT_SATISFIED);
        const newPin = data.subarray(0, 3);
        const expected = unblockCryptogram(Buffer.from(key, "hex"), challenge, newPin);
        challenge = undefined;
        if (!timingSafeEqual(expected, data.subarray(3))) return sw(SW.SECURITY_NOT_SATISFIED);
        if (!/^\d{6}$/.test(newPin.toString("hex"))) return sw(SW.WRONG_DATA);
        image.pin = newPin.toString("hex");
        image.pinTriesLeft = image.pinTriesMax;
        return sw(SW.OK);
      }
      case 0x2a: {
        // PERFORM SECURITY OPERATION: COMPUTE DIGITAL SIGNATURE with the holder's SM2 key (after VERIFY).
        if (p1 !== 0x9e || p2 !== 0x9a) return sw(SW.WRONG_P1P2);
        if (!image.holderKey) return sw(SW.INS_NOT_SUPPORTED);
        if (data.length === 0 || data.length > 64) return sw(SW.WRONG_LENGTH);
        if (!pinVerified) return sw(SW.SECURITY_NOT_SATISFIED);
        const signature = sm2.doSignature(new Uint8Array(data), image.holderKey.privateKey, {
          hash: true,
          der: false,
          userId: SM2_USER_ID,
        });
        return sw(SW.OK, Buffer.from(signature, "hex"));
      }
      default:
        return sw(SW.INS_NOT_SUPPORTED);
    }
  }

  return {
    /** Processes one command APDU; never throws. */
    transmit(apdu: Buffer): Buffer {
      try {
        return process(apdu);
      } catch {
        return sw("6F00");
      }
    },
    get pinVerified() {
      return pinVerified;
    },
    /** The session to resume in (a command's challenge or a purchase in progress is not kept). */
    session(): VirtualCardSession {
      return { selected, externalAuthenticated, pinVerified };
    },
    /** The card's content as it is now (after the commands it took). */
    image(): CardImage {
      return image;
    },
    /** The card's content, to save to a file and load again. */
    save(): string {
      return JSON.stringify(image);
    },
  };
}

/** A card loaded from a saved image. */
export function loadVirtualCard(saved: string, random?: (n: number) => Buffer) {
  return createVirtualCard(JSON.parse(saved) as CardImage, random);
}
