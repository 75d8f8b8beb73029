/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface RemoteAuthenticationsTable {
  id: string;
  card_id_code: string;
  terminal_id: string;
  random: string;
  expires_at: string;
  completed_at: string | null;
}

export interface TerminalsTable {
  terminal_no: string;
  area_code: string;
  name: string;
  psam_serial: string | null;
  psam_issued_at: string | null;
  created_at: string;
  institution_id: string | null;
}

export interface CardCertificatesTable {
  serial: string;
  card_id_code: string;
  area_code: string;
  /** The signed certificate document (canonical JSON, see src/modules/chip/certificates.ts). */
  certificate: string;
  created_at: string;
}

/** The chip module's tables. */
export interface ChipTables {
  remote_authentications: RemoteAuthenticationsTable;
  terminals: TerminalsTable;
  card_certificates: CardCertificatesTable;
}
