import { sm2 } from "sm-crypto-v2";
import { canonicalJson } from "./canonical-json.ts";

/*
 * Signed documents: SM2 with SM3 and the standard user ID over canonical JSON. A primitive shared by
 * the modules that sign (keys, audit) and every verifier; which key signs what is src/modules/keys.
 */

/** The standard SM2 user ID (GB/T 35276). */
export const SM2_USER_ID = "1234567812345678";

export type Signed<T> = T & { signature: string; publicKey: string; userId: string; algorithm: "SM2-SM3" };

/** Signs documents terminals verify offline: SM2 with SM3 and the standard user ID over canonical JSON. */
export type Signer = Readonly<{ publicKey: string; sign: <T extends object>(doc: T) => Signed<T> }>;

export function createSm2Signer(privateKey: Buffer): Signer {
  const priv = privateKey.toString("hex");
  const publicKey = sm2.getPublicKeyFromPrivateKey(priv);
  return Object.freeze({
    publicKey,
    sign: <T extends object>(doc: T): Signed<T> => ({
      ...doc,
      signature: sm2.doSignature(canonicalJson(doc), priv, { hash: true, der: false, userId: SM2_USER_ID }),
      publicKey,
      userId: SM2_USER_ID,
      algorithm: "SM2-SM3" as const,
    }),
  });
}

/** Checks a signed document as a terminal would: the signature over the canonical JSON without its signature fields. */
export function verifySigned(doc: Signed<object>, publicKey: string): boolean {
  const { signature, publicKey: _pk, userId, algorithm: _alg, ...body } = doc;
  return sm2.doVerifySignature(canonicalJson(body), signature, publicKey, { hash: true, der: false, userId });
}
