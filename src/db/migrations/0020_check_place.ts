import type { Kysely } from "kysely";

/**
 * The place of an online check: the designated institution or the outlet of the grant it was made
 * under, by name as it was then (the holder's "who checked my card" names places, not staff logins).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("card_checks").addColumn("place", "varchar(200)").execute();
}
