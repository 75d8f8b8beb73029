import type { CertificateKind, CertificateStatus } from "./certificates.rules.ts";

/** The register of certificates issued. Times are ISO-8601 UTC strings, dates `YYYY-MM-DD` (China calendar). */
export interface CertificatesTable {
  id: string;
  serial: string;
  kind: CertificateKind;
  person_id: string;
  /** The issuing area (its certificate-signing key signed the QR). */
  area_code: string;
  /** The outlet or institution it was issued at, by name as it was then (null: online). */
  outlet: string | null;
  /** The card it is about (a temporary certificate's and a slip's replacement card). */
  card_id: string | null;
  /** The certified facts as they were at issue: canonical JSON. */
  facts: string;
  issued_at: string;
  valid_until: string | null;
  status: CertificateStatus;
  status_reason: string | null;
  status_at: string | null;
  issued_by: string;
  /** The SM2 signature (r ‖ s, hex) over the QR's claims. */
  signature: string;
}

/** The certificates module's tables. */
export interface CertificatesTables {
  certificates: CertificatesTable;
}
