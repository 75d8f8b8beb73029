import type { Kysely } from "kysely";

/** Keys of the software encryption machine, each only as a key block wrapped under the LMK. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("hsm_keys")
    .addColumn("label", "varchar(64)", (c) => c.primaryKey())
    .addColumn("usage", "varchar(32)", (c) => c.notNull())
    .addColumn("algorithm", "varchar(8)", (c) => c.notNull())
    .addColumn("key_version", "integer", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)")
    .addColumn("block", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("retired_at", "varchar(32)")
    .execute();
}
