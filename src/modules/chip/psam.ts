import { cardData, diversify } from "../keys/derivation.ts";
import { mac1, mac2, type PurchaseFields, purchaseSessionKey } from "./purchase.ts";

/** A PSAM (the terminal's secure access module): its serial, terminal number, and the city keys it carries. */
export type PsamImage = Readonly<{
  serial: string;
  terminalNo: string;
  city: string;
  algorithm: "SM4";
  keyVersion: number;
  keys: Readonly<{ internal_auth?: string; external_auth?: string; purchase?: string }>;
}>;

export class PsamError extends Error {}

/**
 * A software PSAM: derives a card's authentication keys from the city keys it carries. A card of
 * another city is beyond it (the terminal then uses sscard's remote two-step authentication).
 */
export function createVirtualPsam(image: PsamImage) {
  return {
    serial: image.serial,
    terminalNo: image.terminalNo,
    /** Whether this PSAM can authenticate a card by itself. */
    covers: (cardIdCode: string) => cardIdCode.startsWith(image.city),
    /**
     * MAC1 of a purchase (DEBIT FOR PURCHASE) from the card's answer to INITIALIZE FOR PURCHASE, and the
     * session key to check the card's MAC2 with.
     */
    purchaseMac1(cardIdCode: string, init: { random: Buffer; counter: Buffer }, fields: PurchaseFields) {
      if (!cardIdCode.startsWith(image.city) || !image.keys.purchase)
        throw new PsamError("no purchase key for this card");
      const cardPurchaseKey = diversify(
        image.algorithm,
        Buffer.from(image.keys.purchase, "hex"),
        cardData(cardIdCode),
      );
      const sessionKey = purchaseSessionKey(cardPurchaseKey, init.random, init.counter, fields.terminalTxnNo);
      return {
        mac1: mac1(sessionKey, fields),
        checkMac2: (card: Buffer) => card.equals(mac2(sessionKey, fields)),
      };
    },
    async cardKeys(cardIdCode: string) {
      if (!cardIdCode.startsWith(image.city))
        throw new PsamError("card of another area: use remote authentication");
      const derive = (hex: string | undefined) => {
        if (!hex) throw new PsamError("key missing from the PSAM");
        return diversify(image.algorithm, Buffer.from(hex, "hex"), cardData(cardIdCode));
      };
      return {
        internalAuth: derive(image.keys.internal_auth),
        externalAuth: derive(image.keys.external_auth),
      };
    },
  };
}
