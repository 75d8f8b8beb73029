import { createCipheriv, type KeyObject } from "node:crypto";

/**
 * Key diversification of the card key hierarchy (no I/O; the encryption machine calls these with keys
 * it holds). SM4 for spec 3.00 cards, two-key TDEA for 2.x cards.
 *
 *   national control key (per key type and version)
 *     → province key   = div(national, D(province code))
 *     → city key       = div(province, D(city code))
 *     → card key       = div(city, last 16 hex characters of the card identification code)
 *     → session key    = div(card key, card challenge)
 *
 * div(K, D) for an 8-byte D: SM4 → E(K, D ‖ ¬D) (one 16-byte key); TDEA → E(K, D) ‖ E(K, ¬D).
 */
export type KeyAlgorithm = "SM4" | "TDES";

/** The PSAM key types of the domain brief (the usage byte's low bits). */
export const KEY_TYPES = {
  master: 0,
  maintenance: 1,
  purchase: 2,
  pin_unblock: 3,
  pin_reload: 4,
  application_maintenance: 5,
  mac: 6,
  encryption: 7,
  mac_encryption: 8,
  internal_auth: 9,
  external_auth: 10,
} as const;
export type KeyType = keyof typeof KEY_TYPES;

const not = (b: Buffer) => Buffer.from(b.map((x) => x ^ 0xff));

/** A key as bytes, or as a KeyObject made once (six times faster when one key derives many). */
export type KeyMaterial = Buffer | KeyObject;

const lengthOf = (key: KeyMaterial) => (Buffer.isBuffer(key) ? key.length : (key.symmetricKeySize ?? 0));

function ecb(algorithm: KeyAlgorithm, key: KeyMaterial, data: Buffer): Buffer {
  const name = algorithm === "SM4" ? "sm4-ecb" : lengthOf(key) === 16 ? "des-ede-ecb" : "des-ede3-ecb";
  const c = createCipheriv(name, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

/** One diversification step with 8 bytes of diversification data. */
export function diversify(algorithm: KeyAlgorithm, parent: KeyMaterial, data: Buffer): Buffer {
  if (data.length !== 8) throw new Error("diversification data is 8 bytes");
  if (lengthOf(parent) !== 16) throw new Error("parent key must be 16 bytes");
  if (algorithm === "SM4") return ecb("SM4", parent, Buffer.concat([data, not(data)]));
  return Buffer.concat([ecb("TDES", parent, data), ecb("TDES", parent, not(data))]);
}

/** Diversification data of an area: its 6-digit code in BCD, then FF (e.g. 330100 → 330100FFFFFFFFFF). */
export function areaData(areaCode: string): Buffer {
  if (!/^\d{6}$/.test(areaCode)) throw new Error("area code is 6 digits");
  return Buffer.from(`${areaCode}FFFFFFFFFF`, "hex");
}

/** Diversification data of a card: the 16 hex characters unique to it at the end of its identification code. */
export function cardData(cardIdCode: string): Buffer {
  if (!/^\d{6}D156000005[0-9A-F]{16}$/.test(cardIdCode)) throw new Error("not a card identification code");
  return Buffer.from(cardIdCode.slice(16), "hex");
}

/** Province, city, card and session keys from a national control key, step by step. */
export function deriveChain(
  algorithm: KeyAlgorithm,
  national: Buffer,
  path: { province: string; city?: string; cardIdCode?: string; challenge?: Buffer },
) {
  const province = diversify(algorithm, national, areaData(path.province));
  const city = path.city ? diversify(algorithm, province, areaData(path.city)) : undefined;
  const card = city && path.cardIdCode ? diversify(algorithm, city, cardData(path.cardIdCode)) : undefined;
  const session = card && path.challenge ? diversify(algorithm, card, path.challenge) : undefined;
  return { province, city, card, session };
}

/** Key check value: the first 3 bytes of the key enciphering a zero block (hex, upper case). */
export function keyCheckValue(algorithm: KeyAlgorithm | "AES", key: Buffer): string {
  if (algorithm === "AES") {
    const c = createCipheriv(key.length === 32 ? "aes-256-ecb" : "aes-128-ecb", key, null);
    c.setAutoPadding(false);
    return Buffer.concat([c.update(Buffer.alloc(16)), c.final()])
      .subarray(0, 3)
      .toString("hex")
      .toUpperCase();
  }
  return ecb(algorithm, key, Buffer.alloc(algorithm === "SM4" ? 16 : 8))
    .subarray(0, 3)
    .toString("hex")
    .toUpperCase();
}
