import { canonicalJson } from "../../shared/canonical-json.ts";
import { DomainError } from "../../shared/errors.ts";

/**
 * Certificates a holder takes away (seed 003): the personal rights record (个人权益记录), the
 * enrolment certificate (参保证明), the temporary medical certificate issued with a formal loss and
 * replacement (临时就医凭证), the card-collection slip (领卡凭证) and the application form (申领登记表).
 * Every one is in the register with a serial number, a snapshot of what it certifies, and a status.
 */
export const CERTIFICATE_KINDS = [
  "rights_record",
  "enrolment_certificate",
  "temporary_medical",
  "collection_slip",
  "application_form",
] as const;
export type CertificateKind = (typeof CERTIFICATE_KINDS)[number];

/** The kinds issued on request (the others come with a formal loss and replacement). */
export const ON_DEMAND_KINDS = ["rights_record", "enrolment_certificate", "application_form"] as const;
export type OnDemandKind = (typeof ON_DEMAND_KINDS)[number];
/** The kinds a holder downloads in the online hall (the application form is signed at the counter). */
export const HALL_KINDS: readonly CertificateKind[] = ["rights_record", "enrolment_certificate"];

export const CERTIFICATE_STATUSES = ["valid", "superseded", "revoked", "expired"] as const;
export type CertificateStatus = (typeof CERTIFICATE_STATUSES)[number];

/** The two letters a serial starts with, by kind (the temporary certificate's "LS" is the cards' old number). */
export const SERIAL_PREFIX: Record<CertificateKind, string> = {
  rights_record: "QY",
  enrolment_certificate: "CB",
  temporary_medical: "LS",
  collection_slip: "LK",
  application_form: "SQ",
};

/** A serial: the kind's prefix, the area, the China day (YYYYMMDD) and 8 random digits (24 characters). */
export function certificateSerial(
  kind: CertificateKind,
  areaCode: string,
  day: string,
  random8: number,
): string {
  return `${SERIAL_PREFIX[kind]}${areaCode}${day.replaceAll("-", "")}${String(random8).padStart(8, "0")}`;
}

export const SERIAL_PATTERN = /^(QY|CB|LS|LK|SQ)\d{22}$/;

/** The status a certificate has on a China calendar day: a valid one past its end date has expired. */
export function statusOn(
  row: { status: CertificateStatus; valid_until: string | null },
  day: string,
): CertificateStatus {
  return row.status === "valid" && row.valid_until !== null && day > row.valid_until ? "expired" : row.status;
}

/** The refusal of a certificate that is no longer valid, with why (worded by shared/reasons.ts). */
export function notValid(row: { status_reason: string | null }, status: CertificateStatus): DomainError {
  return new DomainError("CERTIFICATE_NOT_VALID", {
    status,
    reason: status === "expired" ? "expired" : (row.status_reason ?? status),
  });
}

/**
 * What the QR code carries, signed: enough to check the paper offline with the area's public key
 * (who, what kind, issued when, valid until, a digest of the certified facts) — masked, never the full
 * name or ID number.
 */
export type QrClaims = Readonly<{
  v: 1;
  /** Serial number. */
  s: string;
  /** Kind. */
  k: CertificateKind;
  /** Issuing area (its certificate-signing key verifies the signature). */
  a: string;
  /** Holder's name and ID number, masked. */
  n: string;
  i: string;
  /** Issued on, valid until (China calendar days; valid until may be empty). */
  d: string;
  u: string;
  /** SM3 of the canonical JSON of the certified facts, hex, first 32 characters. */
  h: string;
}>;

/** The text signed for the QR: the canonical JSON of the claims. */
export const signedText = (claims: QrClaims) => canonicalJson(claims);

/**
 * The QR text: the public verification address with the signed claims in its fragment, so a phone
 * opens the verification page and an offline verifier reads the claims and the signature:
 * `<base>/v/<serial>#c=<base64url claims>.<base64url signature r‖s>`.
 */
export function qrText(baseUrl: string, claims: QrClaims, signatureHex: string): string {
  const c = Buffer.from(signedText(claims), "utf8").toString("base64url");
  const sig = Buffer.from(signatureHex, "hex").toString("base64url");
  return `${baseUrl.replace(/\/+$/, "")}/v/${claims.s}#c=${c}.${sig}`;
}

export type QrParse =
  | { ok: true; claims: QrClaims; signatureHex: string; serialInPath: string }
  | { ok: false; reason: "MALFORMED" };

/** Reads a QR text back (never throws). */
export function parseQrText(text: string): QrParse {
  const m = /\/v\/([A-Z0-9]{24})#c=([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(text.trim());
  if (!m) return { ok: false, reason: "MALFORMED" };
  try {
    const claims = JSON.parse(Buffer.from(m[2], "base64url").toString("utf8")) as QrClaims;
    const sig = Buffer.from(m[3], "base64url");
    if (
      claims?.v !== 1 ||
      typeof claims.s !== "string" ||
      !(CERTIFICATE_KINDS as readonly string[]).includes(claims.k) ||
      ["a", "n", "i", "d", "u", "h"].some((f) => typeof claims[f as keyof QrClaims] !== "string") ||
      sig.length !== 64
    )
      return { ok: false, reason: "MALFORMED" };
    return { ok: true, claims, signatureHex: sig.toString("hex"), serialInPath: m[1] };
  } catch {
    return { ok: false, reason: "MALFORMED" };
  }
}
