import type { Kysely } from "kysely";

/** The e-card's own password: a PIN verification value from the encryption machine, and its lockout. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ecards").addColumn("pin_pvv", "varchar(128)").execute();
  await db.schema
    .alterTable("ecards")
    .addColumn("pin_failures", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable("ecards").addColumn("pin_locked_at", "varchar(32)").execute();
}
