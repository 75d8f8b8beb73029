import { createCipheriv, createDecipheriv, type KeyObject, randomBytes } from "node:crypto";

/** ISO 9564-1 PIN block formats sscard accepts: 4 (AES, bound to the account number) and 1 (legacy, TDEA). */
export type PinBlockFormat = 1 | 4;

export class PinBlockError extends Error {}

const isPin = (pin: string) => /^\d{4,12}$/.test(pin);

function ecb(
  alg: "aes-128-ecb" | "aes-256-ecb" | "des-ede-ecb" | "des-ede3-ecb",
  key: KeyObject | Buffer,
  data: Buffer,
  decrypt: boolean,
) {
  const c = decrypt ? createDecipheriv(alg, key, null) : createCipheriv(alg, key, null);
  c.setAutoPadding(false);
  return Buffer.concat([c.update(data), c.final()]);
}

const keyLength = (key: KeyObject | Buffer) =>
  Buffer.isBuffer(key) ? key.length : (key.symmetricKeySize ?? 0);

const aesAlg = (key: KeyObject | Buffer) => {
  const len = keyLength(key);
  if (len === 16) return "aes-128-ecb" as const;
  if (len === 32) return "aes-256-ecb" as const;
  throw new PinBlockError("format 4 needs an AES-128 or AES-256 key");
};

const tdeaAlg = (key: KeyObject | Buffer) => {
  const len = keyLength(key);
  if (len === 16) return "des-ede-ecb" as const;
  if (len === 24) return "des-ede3-ecb" as const;
  throw new PinBlockError("format 1 needs a two- or three-key TDEA key");
};

/** Format 4 plain-text PIN field: `4`, PIN length, PIN, fill `A` to 16 nibbles, then 8 random bytes. */
export function format4PinField(pin: string, random: Buffer = randomBytes(8)): Buffer {
  if (!isPin(pin)) throw new PinBlockError("PIN must be 4 to 12 digits");
  const head = `4${pin.length.toString(16)}${pin}`.padEnd(16, "A");
  return Buffer.concat([Buffer.from(head, "hex"), random.subarray(0, 8)]);
}

/** Format 4 plain-text PAN field: PAN length − 12 (0 for shorter PANs, left-padded to 12), PAN, zero fill. */
export function format4PanField(pan: string): Buffer {
  if (!/^\d{1,19}$/.test(pan)) throw new PinBlockError("account number must be 1 to 19 digits");
  const digits = pan.length < 12 ? pan.padStart(12, "0") : pan;
  return Buffer.from(`${digits.length - 12}${digits}`.padEnd(32, "0"), "hex");
}

/** Format 1 plain-text block: `1`, PIN length, PIN, then transaction-unique fill nibbles. */
export function format1Block(pin: string, fill: Buffer = randomBytes(8)): Buffer {
  if (!isPin(pin)) throw new PinBlockError("PIN must be 4 to 12 digits");
  const head = `1${pin.length.toString(16)}${pin}`;
  return Buffer.from(head + fill.toString("hex").slice(0, 16 - head.length), "hex");
}

function pinFromField(hex: string, control: string): string {
  if (hex[0] !== control) throw new PinBlockError(`not a format ${control} PIN block`);
  const len = Number.parseInt(hex[1], 16);
  const pin = hex.slice(2, 2 + len);
  if (len < 4 || len > 12 || !isPin(pin)) throw new PinBlockError("malformed PIN field");
  if (control === "4" && !/^A*$/i.test(hex.slice(2 + len, 16)))
    throw new PinBlockError("malformed PIN field fill");
  return pin;
}

/** Enciphers a format 4 PIN block: C = E(K, E(K, PIN field) ⊕ PAN field). */
export function encipherFormat4(key: KeyObject | Buffer, pin: string, pan: string, random?: Buffer): Buffer {
  const alg = aesAlg(key);
  const a = ecb(alg, key, format4PinField(pin, random), false);
  const panField = format4PanField(pan);
  const b = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) b[i] = a[i] ^ panField[i];
  return ecb(alg, key, b, false);
}

/** Deciphers a format 4 PIN block bound to `pan`; a wrong account number gives a malformed field. */
export function decipherFormat4(key: KeyObject | Buffer, block: Buffer, pan: string): string {
  if (block.length !== 16) throw new PinBlockError("a format 4 PIN block is 16 bytes");
  const alg = aesAlg(key);
  const b = ecb(alg, key, block, true);
  const panField = format4PanField(pan);
  const a = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) a[i] = b[i] ^ panField[i];
  return pinFromField(ecb(alg, key, a, true).toString("hex").toUpperCase(), "4");
}

/** Enciphers a format 1 PIN block under a TDEA key (legacy terminals). */
export function encipherFormat1(key: KeyObject | Buffer, pin: string, fill?: Buffer): Buffer {
  return ecb(tdeaAlg(key), key, format1Block(pin, fill), false);
}

export function decipherFormat1(key: KeyObject | Buffer, block: Buffer): string {
  if (block.length !== 8) throw new PinBlockError("a format 1 PIN block is 8 bytes");
  return pinFromField(ecb(tdeaAlg(key), key, block, true).toString("hex").toUpperCase(), "1");
}

/** Reads the PIN out of a plain format 1 block (for tests and known-answer vectors). */
export function decodeFormat1Plain(block: Buffer): string {
  return pinFromField(block.toString("hex").toUpperCase(), "1");
}
