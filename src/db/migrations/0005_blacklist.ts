import type { Kysely } from "kysely";

/** The terminals' blacklist as a numbered list of changes, written in the transaction that changes a card. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("blacklist_changes")
    .addColumn("version", "bigint", (c) => c.primaryKey())
    .addColumn("card_id_code", "varchar(32)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("action", "varchar(8)", (c) => c.notNull())
    .addColumn("state", "varchar(20)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
}
