/** Times are ISO-8601 UTC strings on both dialects. */
/** A card change waiting for (or past) its delivery to the national hub (src/modules/national). */
export interface NationalOutboxTable {
  id: string;
  at: string;
  card_number: string;
  /** JSON: the change as the hub takes it (hub.service.ts CardChange). */
  payload: string;
  /** A deliverer's lease on the row: another process leaves it until then. */
  claimed_until: string | null;
  attempts: number;
  last_error: string | null;
  delivered_at: string | null;
}

/** The national module's tables in a province's database. */
export interface NationalTables {
  national_outbox: NationalOutboxTable;
}
