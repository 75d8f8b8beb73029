import { cardData, diversify } from "../keys/derivation.ts";
import { mac1, mac2, type PurchaseFields, purchaseSessionKey } from "./purchase.ts";
import { authCryptogram } from "./virtual-card.ts";

/** One key version's city keys in a PSAM. */
export type PsamKeySet = Readonly<{
  version: number;
  keys: Readonly<{ internal_auth?: string; external_auth?: string; purchase?: string }>;
}>;

/**
 * A PSAM (the terminal's secure access module): its serial, terminal number, and the city keys it
 * carries, one set per key version not retired when it was issued (newest first).
 */
export type PsamImage = Readonly<{
  serial: string;
  terminalNo: string;
  city: string;
  algorithm: "SM4";
  keySets: readonly PsamKeySet[];
}>;

export class PsamError extends Error {}

/**
 * A software PSAM: derives a card's keys from the city keys it carries. A card of another city is
 * beyond it (the terminal then uses sscard's remote two-step authentication).
 */
export function createVirtualPsam(image: PsamImage) {
  const derive = (hex: string | undefined, cardIdCode: string) => {
    if (!hex) throw new PsamError("key missing from the PSAM");
    return diversify(image.algorithm, Buffer.from(hex, "hex"), cardData(cardIdCode));
  };
  const own = (cardIdCode: string) => {
    if (!cardIdCode.startsWith(image.city))
      throw new PsamError("card of another area: use remote authentication");
  };
  return {
    serial: image.serial,
    terminalNo: image.terminalNo,
    /** Whether this PSAM can authenticate a card by itself. */
    covers: (cardIdCode: string) => cardIdCode.startsWith(image.city),
    /**
     * MAC1 of a purchase (DEBIT FOR PURCHASE) from the card's answer to INITIALIZE FOR PURCHASE (whose
     * key version picks the key set), and the check of the card's MAC2.
     */
    async purchaseMac1(
      cardIdCode: string,
      init: { random: Buffer; counter: Buffer; keyVersion: number },
      fields: PurchaseFields,
    ) {
      own(cardIdCode);
      const set = image.keySets.find((k) => k.version === init.keyVersion);
      if (!set?.keys.purchase) throw new PsamError(`no purchase key of version ${init.keyVersion}`);
      const sessionKey = purchaseSessionKey(
        derive(set.keys.purchase, cardIdCode),
        init.random,
        init.counter,
        fields.terminalTxnNo,
      );
      return {
        mac1: mac1(sessionKey, fields),
        checkMac2: (card: Buffer) => card.equals(mac2(sessionKey, fields)),
      };
    },
    /** Authentication cryptograms under the card's key of each version the PSAM holds (an AuthSam). */
    async cryptograms(cardIdCode: string, usage: "internal_auth" | "external_auth", data: Buffer) {
      own(cardIdCode);
      return image.keySets.map((set) => ({
        version: set.version,
        value: authCryptogram(derive(set.keys[usage], cardIdCode), data),
      }));
    },
  };
}

/** The PSAM application's AID: the ministry's RID and "PSM". */
export const PSAM_AID = Buffer.from("D15600000550534D", "hex");
const USAGES = { 1: "internal_auth", 2: "external_auth" } as const;
const answer = (data: Buffer, sw: string) => Buffer.concat([data, Buffer.from(sw, "hex")]);

/**
 * A PSAM as a terminal meets it, APDU by APDU (behind a virtual reader in the tests): SELECT, READ
 * BINARY of the terminal number (EF 16), GET DATA of its key versions, and the cipher pair of PBOC
 * PSAMs — `80 1A` (initialise: usage, key version, the card's city ‖ diversification data) then
 * `80 FA` (encipher) — which derives the card's key inside and never gives it out.
 */
export function createPsamApplet(image: PsamImage) {
  let selected = false;
  let key: Buffer | undefined;
  return {
    transmit(apdu: Buffer): Buffer {
      const [cla, ins, p1, p2] = apdu;
      const data = apdu.subarray(5, 5 + (apdu[4] ?? 0));
      if (cla === 0x00 && ins === 0xa4) {
        selected = p1 === 0x04 && data.equals(PSAM_AID);
        return answer(Buffer.alloc(0), selected ? "9000" : "6A82");
      }
      if (!selected) return answer(Buffer.alloc(0), "6985");
      if (cla === 0x00 && ins === 0xb0 && p1 === 0x96)
        return answer(Buffer.from(image.terminalNo.padStart(12, "0"), "hex"), "9000");
      if (cla === 0x80 && ins === 0xca)
        return answer(Buffer.from(image.keySets.map((k) => k.version)), "9000");
      if (cla === 0x80 && ins === 0x1a) {
        key = undefined;
        const usage = USAGES[p1 as 1 | 2];
        const hex = image.keySets.find((k) => k.version === p2)?.keys[usage];
        if (!usage || !hex || data.length !== 11) return answer(Buffer.alloc(0), "6A88");
        if (data.subarray(0, 3).toString("hex") !== image.city) return answer(Buffer.alloc(0), "6985");
        key = diversify(image.algorithm, Buffer.from(hex, "hex"), data.subarray(3));
        return answer(Buffer.alloc(0), "9000");
      }
      if (cla === 0x80 && ins === 0xfa) {
        if (!key || data.length !== 8) return answer(Buffer.alloc(0), "6985");
        return answer(authCryptogram(key, data), "9000");
      }
      return answer(Buffer.alloc(0), "6D00");
    },
  };
}

/**
 * The terminal's side of a PSAM in a reader (PC/SC): selects it, reads its terminal number and key
 * versions, and computes the card's authentication cryptograms in it (an AuthSam).
 */
export async function openPsam(channel: { transmit: (apdu: Buffer) => Buffer | Promise<Buffer> }) {
  const send = async (hex: string, data: Buffer = Buffer.alloc(0)) => {
    const r = await channel.transmit(
      Buffer.concat([
        Buffer.from(hex, "hex"),
        data.length ? Buffer.from([data.length]) : Buffer.alloc(0),
        data,
      ]),
    );
    const sw = r
      .subarray(r.length - 2)
      .toString("hex")
      .toUpperCase();
    return { sw, body: r.subarray(0, r.length - 2) };
  };
  if ((await send("00A40400", PSAM_AID)).sw !== "9000") throw new PsamError("no PSAM in the reader");
  const terminal = await send("00B0960006");
  const versions = await send("80CA00C000");
  if (terminal.sw !== "9000" || versions.sw !== "9000") throw new PsamError("the PSAM refused to identify");
  return {
    terminalNo: terminal.body.toString("hex"),
    async cryptograms(cardIdCode: string, usage: "internal_auth" | "external_auth", data: Buffer) {
      const out: { version: number; value: Buffer }[] = [];
      const factor = Buffer.concat([Buffer.from(cardIdCode.slice(0, 6), "hex"), cardData(cardIdCode)]);
      for (const version of versions.body) {
        const p1 = usage === "internal_auth" ? "01" : "02";
        const init = await send(`801A${p1}${version.toString(16).padStart(2, "0")}`, factor);
        if (init.sw !== "9000") continue;
        const r = await send("80FA0000", data);
        if (r.sw === "9000") out.push({ version, value: r.body });
      }
      return out;
    },
  };
}
