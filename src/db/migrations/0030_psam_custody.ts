import type { Kysely } from "kysely";

/**
 * PSAMs uniformly distributed by the ministry (Measures Art. 23): each PSAM's holder (the ministry, an
 * area, a terminal) and every hand-over, so who holds which is on record.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("psams")
    .addColumn("serial", "varchar(32)", (c) => c.primaryKey())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)")
    .addColumn("terminal_no", "varchar(12)")
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("issued_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("psams_holder").on("psams").columns(["state", "area_code"]).execute();
  await db.schema
    .createTable("psam_movements")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("serial", "varchar(32)", (c) => c.notNull().references("psams.serial"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(128)", (c) => c.notNull())
    .addColumn("actor_name", "varchar(128)", (c) => c.notNull())
    .addColumn("action", "varchar(16)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)")
    .addColumn("terminal_no", "varchar(12)")
    .execute();
  await db.schema
    .createIndex("psam_movements_serial")
    .on("psam_movements")
    .columns(["serial", "version"])
    .execute();
}
