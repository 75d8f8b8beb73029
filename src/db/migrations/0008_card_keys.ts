import type { Kysely } from "kysely";

/**
 * Key versions and holder certificates: the key version a card was personalised with, the public key
 * kept beside an SM2 key block (an area CA), and each card's holder certificate.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("hsm_keys").addColumn("public_key", "text").execute();
  await db.schema.alterTable("cards").addColumn("key_version", "integer").execute();
  await db.schema.alterTable("cards").addColumn("personalised_at", "varchar(32)").execute();
  await db.schema
    .createTable("card_certificates")
    .addColumn("serial", "varchar(32)", (c) => c.primaryKey())
    .addColumn("card_id_code", "varchar(32)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("certificate", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("card_certificates_card")
    .on("card_certificates")
    .column("card_id_code")
    .execute();
}
