import type { Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface AuditLogTable {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  action: string;
  subject_type: string;
  subject_id: string;
  area_code: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

/** A signed seal of the audit chain up to `head_seq` (src/modules/audit). */
export interface AuditCheckpointsTable {
  head_seq: number;
  head_hash: string;
  at: string;
  reason: string;
  /** Which audit key signed it: the first 16 hex digits of the SM3 hash of its public key. */
  key_id: string;
  /** The signature of the checkpoint before it ("" for the first). */
  prev_signature: string;
  signature: string;
}

/** The audit module's tables. */
export interface AuditTables {
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
}

export type AuditRow = Selectable<AuditLogTable>;
export type AuditCheckpointRow = Selectable<AuditCheckpointsTable>;
