import type { Kysely } from "kysely";

/** One-time sign-up tickets a counter issues after checking the holder's ID (the path without a face). */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ecard_counter_tickets")
    .addColumn("ticket_hash", "varchar(64)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("issued_by", "varchar(64)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .addColumn("used_at", "varchar(32)")
    .execute();
}
