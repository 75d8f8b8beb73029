import { createCipheriv, createDecipheriv, createSecretKey, type KeyObject, randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";

/**
 * The encryption machine's local master key (LMK), the one key every other key is wrapped under. It
 * only seals and opens key blocks (AES-256-GCM, nonce ‖ ciphertext ‖ tag, with the block's header as
 * associated data); whoever holds it never hands the key out. Two implementations: in this process
 * (`softwareLmk`, the key from a ceremony's file) or inside a PKCS#11 token (`openPkcs11Lmk`).
 */
export type Lmk = Readonly<{
  kind: "software" | "pkcs11";
  seal: (aad: Buffer, plain: Buffer) => Buffer;
  /** Throws when the sealed data or its associated data was changed, or another LMK sealed it. */
  open: (aad: Buffer, sealed: Buffer) => Buffer;
}>;

export class LmkError extends Error {}

/** An LMK held in this process (the software encryption machine). */
export function softwareLmk(key: Buffer): Lmk {
  if (key.length !== 32) throw new LmkError("the LMK is 32 bytes");
  const k: KeyObject = createSecretKey(key);
  return Object.freeze({
    kind: "software",
    seal(aad, plain) {
      const nonce = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", k, nonce);
      c.setAAD(aad);
      return Buffer.concat([nonce, c.update(plain), c.final(), c.getAuthTag()]);
    },
    open(aad, sealed) {
      if (sealed.length < 28) throw new LmkError("key block authentication failed");
      try {
        const d = createDecipheriv("aes-256-gcm", k, sealed.subarray(0, 12));
        d.setAAD(aad);
        d.setAuthTag(sealed.subarray(sealed.length - 16));
        return Buffer.concat([d.update(sealed.subarray(12, sealed.length - 16)), d.final()]);
      } catch {
        throw new LmkError("key block authentication failed");
      }
    },
  });
}

/** The software LMK from its file (made by `sscard keys ceremony --lmk`), if there is one. */
export function readLmkFile(path: string): Buffer | undefined {
  if (!existsSync(path)) return undefined;
  const lmk = Buffer.from((JSON.parse(readFileSync(path, "utf8")) as { lmk: string }).lmk, "hex");
  if (lmk.length !== 32) throw new LmkError(`${path} does not hold a 32-byte LMK`);
  return lmk;
}
