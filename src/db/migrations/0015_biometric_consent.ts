import type { Kysely } from "kysely";

/**
 * Face images kept only with the holder's separate biometric consent (issue 8): the photos themselves,
 * encrypted, and the withdrawal of a consent, which deletes them.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("ecard_consents").addColumn("withdrawn_at", "varchar(32)").execute();
  await db.schema
    .createTable("kept_face_photos")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("consent_id", "varchar(36)", (c) => c.notNull().references("ecard_consents.id"))
    .addColumn("photo_enc", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("kept_face_photos_person").on("kept_face_photos").column("person_id").execute();
}
