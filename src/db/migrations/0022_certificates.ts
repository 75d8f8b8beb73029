import type { Kysely } from "kysely";

/** The register of certificates issued: kind, serial, holder, area and outlet, the facts, validity, status. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("certificates")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("serial", "varchar(24)", (c) => c.notNull().unique())
    .addColumn("kind", "varchar(24)", (c) => c.notNull())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("area_code", "varchar(12)", (c) => c.notNull())
    .addColumn("outlet", "varchar(200)")
    .addColumn("card_id", "varchar(36)", (c) => c.references("cards.id"))
    .addColumn("facts", "text", (c) => c.notNull())
    .addColumn("issued_at", "varchar(32)", (c) => c.notNull())
    .addColumn("valid_until", "varchar(10)")
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("status_reason", "varchar(200)")
    .addColumn("status_at", "varchar(32)")
    .addColumn("issued_by", "varchar(64)", (c) => c.notNull())
    .addColumn("signature", "varchar(128)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("certificates_person")
    .on("certificates")
    .columns(["person_id", "issued_at"])
    .execute();
  await db.schema.createIndex("certificates_card").on("certificates").columns(["card_id", "kind"]).execute();
}
