import type { FamilyRelationship } from "./ecard.rules.ts";
/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface EcardChannelsTable {
  id: string;
  code: string;
  name: string;
  class: string;
  level: number;
  parent_id: string | null;
  /** A keyed hash of the channel's secret (shown once at registration). */
  secret_hash: string;
  /** JSON array of the services the channel may call. */
  services: string;
  state: "active" | "suspended" | "exited";
  created_at: string;
}

export interface EcardsTable {
  /** The e-card's public id (in credentials and the status list), 32 hex. */
  id: string;
  card_id: string;
  person_id: string;
  /** 1 when the holder suspended the e-card everywhere. */
  suspended: number;
  /** Raised at every change of availability; credentials carry it. */
  status_version: number;
  created_at: string;
  /** The e-card password's verification value (the encryption machine's), null until it is set. */
  pin_pvv: string | null;
  pin_failures: number;
  pin_locked_at: string | null;
}

export interface EcardDevicesTable {
  id: string;
  ecard_id: string;
  channel_id: string;
  device_key: string;
  created_at: string;
  revoked_at: string | null;
}

export interface EcardStatusChangesTable {
  version: number;
  ecard_id: string;
  status_version: number;
  usable: number;
  at: string;
}

export interface EcardCodeUsesTable {
  code_id: string;
  ecard_id: string;
  used_by: string;
  used_at: string;
}

export interface EcardAuthorisationsTable {
  id: string;
  ecard_id: string;
  granted_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface EcardConsentsTable {
  id: string;
  person_id: string;
  channel_id: string;
  kind: string;
  text_version: string;
  at: string;
  withdrawn_at: string | null;
}

export interface PersonPhotosTable {
  person_id: string;
  /** The identity photo (JPEG), encrypted like the person's other fields. */
  photo_enc: string;
  taken_on: string;
  created_at: string;
}

export interface EcardCounterTicketsTable {
  /** A keyed hash of the ticket the holder takes from the counter to the app. */
  ticket_hash: string;
  person_id: string;
  issued_by: string;
  expires_at: string;
  used_at: string | null;
}

export interface EcardFamilyTable {
  id: string;
  holder_ecard_id: string;
  relative_person_id: string;
  relationship: FamilyRelationship;
  /** How the relative was verified: their own face (adults), or the guardian's word and a photo (children). */
  verified_by: "face" | "guardian_photo";
  added_at: string;
  removed_at: string | null;
}

export interface KeptFacePhotosTable {
  id: string;
  person_id: string;
  consent_id: string;
  photo_enc: string;
  created_at: string;
}

/** The ecard module's tables. */
export interface EcardTables {
  ecard_channels: EcardChannelsTable;
  ecards: EcardsTable;
  ecard_devices: EcardDevicesTable;
  ecard_status_changes: EcardStatusChangesTable;
  ecard_code_uses: EcardCodeUsesTable;
  ecard_authorisations: EcardAuthorisationsTable;
  ecard_consents: EcardConsentsTable;
  person_photos: PersonPhotosTable;
  ecard_counter_tickets: EcardCounterTicketsTable;
  ecard_family: EcardFamilyTable;
  kept_face_photos: KeptFacePhotosTable;
}
