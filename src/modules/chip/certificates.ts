import { sm2 } from "sm-crypto-v2";
import { type Signed, SM2_USER_ID, verifySigned } from "../keys/signer.ts";

/**
 * A card holder certificate (spec 3.00 cards): the card's SM2 public key bound to the card, signed by
 * the issuing area's CA key inside the encryption machine, SM2 with SM3 and the standard user ID over
 * the canonical JSON of the fields below (the signed-document format of the blacklist).
 */
export type HolderCertificate = Readonly<{
  format: "sscard-holder-certificate/1";
  serial: string;
  cardIdCode: string;
  cardNumber: string;
  /** The card's SM2 public key (uncompressed point, hex). */
  subjectPublicKey: string;
  issuerArea: string;
  /** The label of the CA key that signed it. */
  caKey: string;
  notBefore: string;
  notAfter: string;
}>;

export type CertificateCheck =
  | { valid: true }
  | { valid: false; reason: "BAD_SIGNATURE" | "WRONG_CA" | "NOT_YET_VALID" | "EXPIRED" };

/** Checks a holder certificate against the area CA's public key on a day (YYYY-MM-DD). Pure. */
export function checkHolderCertificate(
  cert: Signed<HolderCertificate>,
  caPublicKey: string,
  today: string,
): CertificateCheck {
  if (cert.publicKey !== caPublicKey) return { valid: false, reason: "WRONG_CA" };
  if (!verifySigned(cert, caPublicKey)) return { valid: false, reason: "BAD_SIGNATURE" };
  if (today < cert.notBefore) return { valid: false, reason: "NOT_YET_VALID" };
  if (today > cert.notAfter) return { valid: false, reason: "EXPIRED" };
  return { valid: true };
}

/** Whether a card's SM2 signature (r ‖ s, hex) over data is good under the certificate's public key. */
export function verifyCardSignature(cert: HolderCertificate, data: Buffer, signature: string): boolean {
  return sm2.doVerifySignature(new Uint8Array(data), signature, cert.subjectPublicKey, {
    hash: true,
    der: false,
    userId: SM2_USER_ID,
  });
}
