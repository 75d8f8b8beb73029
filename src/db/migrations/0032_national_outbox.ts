import type { Kysely } from "kysely";

/**
 * The national platform's transactional outbox (issue 24): each card change this province publishes to
 * the national hub, written in the change's own transaction and delivered at least once after it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("national_outbox")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("card_number", "varchar(9)", (c) => c.notNull())
    .addColumn("payload", "text", (c) => c.notNull())
    .addColumn("claimed_until", "varchar(32)")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("last_error", "varchar(200)")
    .addColumn("delivered_at", "varchar(32)")
    .execute();
  await db.schema
    .createIndex("national_outbox_pending")
    .on("national_outbox")
    .columns(["delivered_at", "at"])
    .execute();
}
