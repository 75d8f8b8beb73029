import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from "node:crypto";

/** SM3 digest (GB/T 32905) as lower-case hex. */
export function sm3Hex(data: string | Buffer): string {
  return createHash("sm3").update(data).digest("hex");
}

/** HMAC-SM3 as lower-case hex. */
export function hmacSm3Hex(key: KeyObject, data: string | Buffer): string {
  return createHmac("sm3", key).update(data).digest("hex");
}

/** HMAC-SHA256 as lower-case hex. */
export function hmacSha256Hex(key: KeyObject, data: string | Buffer): string {
  return createHmac("sha256", key).update(data).digest("hex");
}

/**
 * Wraps raw key bytes once. Node builds a key object for every call given a Buffer, which made each
 * HMAC or AES-GCM operation about six times slower (see docs/performance.md).
 */
export function secretKey(bytes: Buffer): KeyObject {
  return createSecretKey(bytes);
}

/** Constant-time comparison of two hex strings. */
export function equalHex(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Encrypts and decrypts personal data at rest, and computes the blind index for exact lookup. */
export type PiiCipher = Readonly<{
  encrypt: (plain: string) => string;
  decrypt: (sealed: string) => string;
  /** Keyed (HMAC-SM3) index: equal inputs give equal indexes, and nothing can be learned without the key. */
  blindIndex: (value: string) => string;
}>;

const FORMAT = "a1";

/**
 * AES-256-GCM with a random 96-bit nonce; the stored form is `a1:<base64 nonce|ciphertext|tag>`, the
 * prefix naming algorithm and key version so a later key or SM4 can be introduced beside it.
 */
export function createPiiCipher(dataKeyBytes: Buffer, indexKeyBytes: Buffer): PiiCipher {
  if (dataKeyBytes.length !== 32 || indexKeyBytes.length !== 32) throw new Error("PII keys must be 32 bytes");
  const dataKey = secretKey(dataKeyBytes);
  const indexKey = secretKey(indexKeyBytes);
  return Object.freeze({
    encrypt(plain: string): string {
      const nonce = randomBytes(12);
      const cipher = createCipheriv("aes-256-gcm", dataKey, nonce);
      const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
      return `${FORMAT}:${Buffer.concat([nonce, body, cipher.getAuthTag()]).toString("base64")}`;
    },
    decrypt(sealed: string): string {
      if (!sealed.startsWith(`${FORMAT}:`)) throw new Error("unknown personal-data format");
      const raw = Buffer.from(sealed.slice(FORMAT.length + 1), "base64");
      const decipher = createDecipheriv("aes-256-gcm", dataKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(raw.length - 16));
      return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString(
        "utf8",
      );
    },
    blindIndex: (value: string) => hmacSm3Hex(indexKey, value),
  });
}
