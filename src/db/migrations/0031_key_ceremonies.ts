import type { Kysely } from "kysely";

/**
 * Key ceremonies from the administrators' pages (Measures Art. 21, 23): each ceremony and the
 * custodians' components, sealed under the LMK until the key is made, so dual control is between staff
 * members and the record of who entered what (by check value) stays.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("key_ceremonies")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)")
    .addColumn("key_type", "varchar(32)")
    .addColumn("algorithm", "varchar(8)", (c) => c.notNull())
    .addColumn("party", "varchar(20)")
    .addColumn("key_version", "integer", (c) => c.notNull())
    .addColumn("label", "varchar(64)", (c) => c.notNull())
    .addColumn("open_label", "varchar(64)", (c) => c.unique())
    .addColumn("components_required", "integer", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("opened_by", "varchar(128)", (c) => c.notNull())
    .addColumn("opened_by_name", "varchar(128)", (c) => c.notNull())
    .addColumn("opened_at", "varchar(32)", (c) => c.notNull())
    .addColumn("closed_by_name", "varchar(128)")
    .addColumn("closed_at", "varchar(32)")
    .addColumn("kcv", "varchar(16)")
    .execute();
  await db.schema.createIndex("key_ceremonies_area").on("key_ceremonies").columns(["area_code"]).execute();
  await db.schema
    .createTable("key_ceremony_components")
    .addColumn("ceremony_id", "varchar(36)", (c) => c.notNull().references("key_ceremonies.id"))
    .addColumn("custodian_id", "varchar(128)", (c) => c.notNull())
    .addColumn("custodian_name", "varchar(128)", (c) => c.notNull())
    .addColumn("block", "text")
    .addColumn("kcv", "varchar(16)", (c) => c.notNull())
    .addColumn("entered_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("key_ceremony_components_pk", ["ceremony_id", "custodian_id"])
    .execute();
}
