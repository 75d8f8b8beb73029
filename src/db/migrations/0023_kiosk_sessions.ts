import type { Kysely } from "kysely";

/**
 * Kiosk sessions are holder sessions on the kiosk channel: opened by the card and its password (all
 * the holder's services) or by swiping the resident ID card (`query`: what the holder reads and prints,
 * nothing that changes state).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable("holder_sessions")
    .addColumn("scope", "varchar(16)", (c) => c.notNull().defaultTo("all"))
    .execute();
}
