import type { Kysely } from "kysely";

/**
 * A call held by the event being answered: until `held_until` (or until that event writes the call's next
 * state) a second event of the same call is refused, so a password keyed twice at once is tried once.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ivr_calls").addColumn("held_until", "varchar(32)").execute();
}
