import type { Kysely } from "kysely";
import { createAppendOnlyTriggers } from "../append-only.ts";
import type { Dialect } from "../database.ts";

/**
 * Signed checkpoints of the audit chain's head: each seals every record up to its sequence number
 * with the encryption machine's audit key, and links to the checkpoint before it. Append-only too.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("audit_checkpoints")
    .addColumn("head_seq", "bigint", (c) => c.primaryKey())
    .addColumn("head_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("reason", "varchar(16)", (c) => c.notNull())
    .addColumn("key_id", "varchar(16)", (c) => c.notNull())
    .addColumn("prev_signature", "varchar(160)", (c) => c.notNull())
    .addColumn("signature", "varchar(160)", (c) => c.notNull())
    .execute();
  await createAppendOnlyTriggers(db, dialect, "audit_checkpoints");
}
