import { cardData, diversify } from "../keys/derivation.ts";
import { mac1, mac2, type PurchaseFields, purchaseSessionKey } from "./purchase.ts";

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
    /** The card's authentication keys under each key version the PSAM holds. */
    async cardKeys(cardIdCode: string) {
      own(cardIdCode);
      return image.keySets.map((set) => ({
        internalAuth: derive(set.keys.internal_auth, cardIdCode),
        externalAuth: derive(set.keys.external_auth, cardIdCode),
      }));
    },
  };
}
