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

/** A PSAM and who holds it (Measures Art. 23: uniformly distributed by the ministry). */
export interface PsamsTable {
  serial: string;
  /** at_ministry → at_area (distributed) → in_terminal (loaded with the city's keys). */
  state: "at_ministry" | "at_area" | "in_terminal";
  area_code: string | null;
  terminal_no: string | null;
  version: number;
  issued_at: string;
  updated_at: string;
}

/** A PSAM's hand-over: issued by the ministry, distributed to an area, installed in a terminal, withdrawn from it. */
export interface PsamMovementsTable {
  id: string;
  serial: string;
  version: number;
  at: string;
  actor_id: string;
  actor_name: string;
  action: "issue" | "distribute" | "install" | "withdraw";
  area_code: string | null;
  terminal_no: string | null;
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
  psams: PsamsTable;
  psam_movements: PsamMovementsTable;
  reader_slots: ReaderSlotsTable;
  remote_authentications: RemoteAuthenticationsTable;
  terminals: TerminalsTable;
  card_certificates: CardCertificatesTable;
}
