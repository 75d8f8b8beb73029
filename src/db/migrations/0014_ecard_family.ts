import type { Kysely } from "kysely";

/** The e-card's family service: relatives without smartphones whose codes a holder can show. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ecard_family")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("holder_ecard_id", "varchar(32)", (c) => c.notNull().references("ecards.id"))
    .addColumn("relative_person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("relationship", "varchar(16)", (c) => c.notNull())
    .addColumn("verified_by", "varchar(16)", (c) => c.notNull())
    .addColumn("added_at", "varchar(32)", (c) => c.notNull())
    .addColumn("removed_at", "varchar(32)")
    .execute();
  await db.schema.createIndex("ecard_family_holder").on("ecard_family").column("holder_ecard_id").execute();
}
