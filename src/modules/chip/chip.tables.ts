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

/** A card in a reader slot of one of sscard's own terminals (src/modules/chip/reader.service.ts). */
export interface ReaderSlotsTable {
  id: string;
  owner: string;
  terminal_no: string;
  /** The card's image and the chip's session, sealed with the data key (the image holds the chip's keys). */
  card_sealed: string;
  card_id_code: string | null;
  pin_verified: number;
  txn: number;
  touched_at: string;
  busy_until: string | null;
}

/** The chip module's tables. */
export interface ChipTables {
  reader_slots: ReaderSlotsTable;
  remote_authentications: RemoteAuthenticationsTable;
  terminals: TerminalsTable;
  card_certificates: CardCertificatesTable;
}
