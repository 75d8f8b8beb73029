import type { Kysely } from "kysely";

/** Remote two-step card authentications under way (step 1 done, step 2 awaited). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("remote_authentications")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("card_id_code", "varchar(32)", (c) => c.notNull())
    .addColumn("terminal_id", "varchar(64)", (c) => c.notNull())
    .addColumn("random", "varchar(16)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .addColumn("completed_at", "varchar(32)")
    .execute();
}
