import type { Kysely } from "kysely";

/**
 * The electronic card: channels (apps) on two levels, one e-card per physical card, the devices its
 * credentials are bound to, the signed status list, single-use payment codes, holders'
 * authorisations while the card is lost, consents, and identity photos for face verification.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("ecard_channels")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("code", "varchar(32)", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("class", "varchar(24)", (c) => c.notNull())
    .addColumn("level", "integer", (c) => c.notNull())
    .addColumn("parent_id", "varchar(36)", (c) => c.references("ecard_channels.id"))
    .addColumn("secret_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("services", "text", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ecards")
    .addColumn("id", "varchar(32)", (c) => c.primaryKey())
    .addColumn("card_id", "varchar(36)", (c) => c.notNull().unique().references("cards.id"))
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("suspended", "integer", (c) => c.notNull())
    .addColumn("status_version", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ecard_devices")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("ecard_id", "varchar(32)", (c) => c.notNull().references("ecards.id"))
    .addColumn("channel_id", "varchar(36)", (c) => c.notNull().references("ecard_channels.id"))
    .addColumn("device_key", "varchar(140)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("revoked_at", "varchar(32)")
    .execute();
  await db.schema.createIndex("ecard_devices_ecard").on("ecard_devices").column("ecard_id").execute();
  await db.schema
    .createTable("ecard_status_changes")
    .addColumn("version", "integer", (c) => c.primaryKey())
    .addColumn("ecard_id", "varchar(32)", (c) => c.notNull())
    .addColumn("status_version", "integer", (c) => c.notNull())
    .addColumn("usable", "integer", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ecard_code_uses")
    .addColumn("code_id", "varchar(64)", (c) => c.primaryKey())
    .addColumn("ecard_id", "varchar(32)", (c) => c.notNull())
    .addColumn("used_by", "varchar(64)", (c) => c.notNull())
    .addColumn("used_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ecard_authorisations")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("ecard_id", "varchar(32)", (c) => c.notNull().references("ecards.id"))
    .addColumn("granted_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .addColumn("revoked_at", "varchar(32)")
    .execute();
  await db.schema
    .createTable("ecard_consents")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("channel_id", "varchar(36)", (c) => c.notNull())
    .addColumn("kind", "varchar(24)", (c) => c.notNull())
    .addColumn("text_version", "varchar(32)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("person_photos")
    .addColumn("person_id", "varchar(36)", (c) => c.primaryKey().references("persons.id"))
    .addColumn("photo_enc", "text", (c) => c.notNull())
    .addColumn("taken_on", "varchar(10)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
}
