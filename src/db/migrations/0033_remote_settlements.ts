import type { Kysely } from "kysely";

/**
 * The treating province's copy of each cross-province settlement its institutions made (issue 24): the
 * home province's settlement id and totals, the institution and its key, so the institution can find
 * it, refund it through the hub, and reconcile its day.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("remote_settlements")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("institution_id", "varchar(36)", (c) => c.notNull())
    .addColumn("idempotency_key", "varchar(64)", (c) => c.notNull())
    .addColumn("home_province", "varchar(2)", (c) => c.notNull())
    .addColumn("medium", "varchar(16)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("total_fen", "bigint", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addUniqueConstraint("remote_settlements_key", ["institution_id", "idempotency_key"])
    .execute();
}
