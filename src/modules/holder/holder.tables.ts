/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface HolderSessionsTable {
  token_hash: string;
  person_id: string;
  name_masked: string;
  channel: string;
  /** `all`, or `query` for a kiosk session opened by swiping the ID card (reads and prints only). */
  scope: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

/** The holder module's tables. */
export interface HolderTables {
  holder_sessions: HolderSessionsTable;
}
