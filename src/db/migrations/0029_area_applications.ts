import type { Kysely } from "kysely";

/**
 * Applications to issue cards (Measures Art. 6 and 7): a city or province files the six materials and
 * the five conditions with their evidence; it goes city → province → ministry, each may return it with
 * reasons; the ministry's approval allocates the issuer identification number.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("area_applications")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    // One application per area: a returned one is mended and filed again.
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().unique().references("areas.code"))
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    // The five conditions of Art. 6: JSON {code: {met, evidence}}.
    .addColumn("conditions", "text", (c) => c.notNull())
    .addColumn("issuer_id", "varchar(10)")
    .addColumn("filed_by", "varchar(128)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("area_application_materials")
    .addColumn("application_id", "varchar(36)", (c) => c.notNull().references("area_applications.id"))
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("file_name", "varchar(200)", (c) => c.notNull())
    .addColumn("content_type", "varchar(64)", (c) => c.notNull())
    .addColumn("size_bytes", "integer", (c) => c.notNull())
    .addColumn("sha256", "varchar(64)", (c) => c.notNull())
    .addColumn("content", "text", (c) => c.notNull())
    .addColumn("uploaded_by", "varchar(128)", (c) => c.notNull())
    .addColumn("uploaded_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("area_application_materials_pk", ["application_id", "kind"])
    .execute();
  await db.schema
    .createTable("area_application_steps")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("application_id", "varchar(36)", (c) => c.notNull().references("area_applications.id"))
    // The application's version this step made: the steps' order, whatever the clock.
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(128)", (c) => c.notNull())
    .addColumn("actor_name", "varchar(128)", (c) => c.notNull())
    .addColumn("action", "varchar(16)", (c) => c.notNull())
    .addColumn("from_state", "varchar(16)", (c) => c.notNull())
    .addColumn("to_state", "varchar(16)", (c) => c.notNull())
    .addColumn("reason", "varchar(1000)")
    .execute();
  await db.schema
    .createIndex("area_application_steps_app")
    .on("area_application_steps")
    .columns(["application_id", "version"])
    .execute();
}
