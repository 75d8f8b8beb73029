import { createCipheriv, createDecipheriv } from "node:crypto";

/**
 * Keys in transit between two encryption machines (the ministry's and a province's, or sscard's and the
 * card factory's): enciphered under a transport key both sides built from the same components under
 * dual control. SM4-CBC with a zero IV over whole 16-byte blocks, so a 16-byte card key is one block and
 * an SM2 private key two; what is wrapped is never shorter than a block. The receiver checks each key
 * against the check value sent beside it (the first 3 bytes of the key enciphering a zero block).
 */
export function wrapUnderTransport(transportKey: Buffer, clear: Buffer): string {
  if (clear.length === 0 || clear.length % 16 !== 0) throw new Error("a wrapped key is whole 16-byte blocks");
  const c = createCipheriv("sm4-cbc", transportKey, Buffer.alloc(16));
  c.setAutoPadding(false);
  return Buffer.concat([c.update(clear), c.final()])
    .toString("hex")
    .toUpperCase();
}

/** The clear key of a transport-wrapped one (the receiving side). */
export function unwrapUnderTransport(transportKey: Buffer, wrappedHex: string): Buffer {
  const wrapped = Buffer.from(wrappedHex, "hex");
  if (wrapped.length === 0 || wrapped.length % 16 !== 0)
    throw new Error("a wrapped key is whole 16-byte blocks");
  const d = createDecipheriv("sm4-cbc", transportKey, Buffer.alloc(16));
  d.setAutoPadding(false);
  return Buffer.concat([d.update(wrapped), d.final()]);
}

/**
 * A PIN for transport: an ISO 9564 format 2 block (`2`, the length, the digits, `F` padding: 8 bytes)
 * followed by 8 random bytes, so one 16-byte block that never repeats for the same PIN.
 */
export function pinForTransport(pin: string, random8: Buffer): Buffer {
  if (!/^\d{4,12}$/.test(pin)) throw new Error("a PIN is 4 to 12 digits");
  return Buffer.concat([Buffer.from(`2${pin.length.toString(16)}${pin}`.padEnd(16, "F"), "hex"), random8]);
}

/** The PIN of a transported block (the inverse of pinForTransport). */
export function pinOfTransportBlock(block: Buffer): string {
  const hex = block.subarray(0, 8).toString("hex").toUpperCase();
  const length = Number.parseInt(hex[1], 16);
  if (hex[0] !== "2" || length < 4 || length > 12) throw new Error("not a format 2 PIN block");
  return hex.slice(2, 2 + length);
}

/** SM4 CBC-MAC with ISO 9797-1 method 2 padding (0x80 then zeros): the last block, hex. */
export function cbcMac(key: Buffer, data: Buffer): string {
  const padded = Buffer.concat([data, Buffer.from([0x80]), Buffer.alloc(15 - (data.length % 16))]);
  const c = createCipheriv("sm4-cbc", key, Buffer.alloc(16));
  c.setAutoPadding(false);
  const out = Buffer.concat([c.update(padded), c.final()]);
  return out
    .subarray(out.length - 16)
    .toString("hex")
    .toUpperCase();
}
