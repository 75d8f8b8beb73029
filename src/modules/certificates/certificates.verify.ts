import { sm2 } from "sm-crypto-v2";
import { SM2_USER_ID } from "../keys/signer.ts";
import { parseQrText, type QrClaims, signedText } from "./certificates.rules.ts";

export type QrRefusal = "MALFORMED" | "UNKNOWN_AREA" | "BAD_SIGNATURE" | "SERIAL_MISMATCH";
export type QrCheck = { ok: true; claims: QrClaims } | { ok: false; reason: QrRefusal };

/**
 * Checks a certificate's QR text offline, with the issuing areas' published public keys only: its
 * form, the SM2 signature (SM3, the standard user ID) over the claims, and that the address names the
 * same serial. Never throws. Whether the certificate is still valid is the register's to say.
 */
export function verifyQr(text: string, areaKeys: Readonly<Record<string, string>>): QrCheck {
  const parsed = parseQrText(text);
  if (!parsed.ok) return { ok: false, reason: "MALFORMED" };
  const { claims, signatureHex, serialInPath } = parsed;
  const key = areaKeys[claims.a];
  if (!key) return { ok: false, reason: "UNKNOWN_AREA" };
  let good = false;
  try {
    good = sm2.doVerifySignature(signedText(claims), signatureHex, key, {
      hash: true,
      der: false,
      userId: SM2_USER_ID,
    });
  } catch {
    good = false;
  }
  if (!good) return { ok: false, reason: "BAD_SIGNATURE" };
  if (serialInPath !== claims.s) return { ok: false, reason: "SERIAL_MISMATCH" };
  return { ok: true, claims };
}
