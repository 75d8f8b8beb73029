import { createCipheriv } from "node:crypto";

/**
 * The purchase (debit) cryptography of the card's medical purse, in the manner of the PBOC electronic
 * purse with SM4: a session key from the card's purchase key, MAC1 from the terminal's PSAM, MAC2 and
 * the transaction authentication code (TAC) from the card; the TAC is checked by sscard.
 */

/** ISO 9797-1 padding method 2 to a multiple of 16 bytes. */
function pad(data: Buffer): Buffer {
  const padded = Buffer.concat([data, Buffer.from([0x80])]);
  const rest = padded.length % 16;
  return rest === 0 ? padded : Buffer.concat([padded, Buffer.alloc(16 - rest)]);
}

/** SM4 CBC-MAC with a zero IV over padded data; the first 4 bytes. */
export function sm4Mac(key: Buffer, data: Buffer): Buffer {
  const c = createCipheriv("sm4-cbc", key, Buffer.alloc(16));
  c.setAutoPadding(false);
  const out = Buffer.concat([c.update(pad(data)), c.final()]);
  return out.subarray(out.length - 16, out.length - 12);
}

/** The purchase session key: SM4 of the card's random, its offline counter and the terminal transaction number. */
export function purchaseSessionKey(
  cardPurchaseKey: Buffer,
  random4: Buffer,
  counter2: Buffer,
  terminalTxnNo4: Buffer,
): Buffer {
  const c = createCipheriv("sm4-ecb", cardPurchaseKey, null);
  c.setAutoPadding(false);
  const block = pad(Buffer.concat([random4, counter2, terminalTxnNo4.subarray(2, 4)])).subarray(0, 16);
  return Buffer.concat([c.update(block), c.final()]);
}

/** The fields a purchase is about, as they travel in the APDUs. */
export type PurchaseFields = Readonly<{
  amount: Buffer;
  terminalNo: Buffer;
  terminalTxnNo: Buffer;
  date: Buffer;
  time: Buffer;
}>;

const TRANSACTION_TYPE = Buffer.from([0x06]);

export const mac1 = (sessionKey: Buffer, f: PurchaseFields) =>
  sm4Mac(sessionKey, Buffer.concat([f.amount, TRANSACTION_TYPE, f.terminalNo, f.date, f.time]));

export const mac2 = (sessionKey: Buffer, f: Pick<PurchaseFields, "amount">) => sm4Mac(sessionKey, f.amount);

/** The transaction authentication code, under the card's TAC key (it never sees the session key). */
export const tac = (cardTacKey: Buffer, f: PurchaseFields) =>
  sm4Mac(
    cardTacKey,
    Buffer.concat([f.amount, TRANSACTION_TYPE, f.terminalNo, f.terminalTxnNo, f.date, f.time]),
  );

/** Encodes an amount in fen as 4 bytes, and a terminal number as 6 BCD bytes. */
export const amountBytes = (fen: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(fen);
  return b;
};
export const terminalBytes = (terminalNo: string) => Buffer.from(terminalNo, "hex");
