import type { Kysely } from "kysely";

/**
 * The calls of the 12333 and 96102 lines: each call's place in its flow (the IVR's state), its
 * transcript with the digits masked, and the channel key the switch called with.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ivr_calls")
    .addColumn("call_id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("line", "varchar(8)", (c) => c.notNull())
    .addColumn("caller_masked", "varchar(32)", (c) => c.notNull())
    .addColumn("key_id", "varchar(64)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("state", "text", (c) => c.notNull())
    .addColumn("transcript", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("started_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addColumn("ended_at", "varchar(32)")
    .execute();
}
