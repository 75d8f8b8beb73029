import type { Kysely } from "kysely";

/** Registered terminals and the PSAMs issued to them. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("terminals")
    .addColumn("terminal_no", "varchar(12)", (c) => c.primaryKey())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("psam_serial", "varchar(32)")
    .addColumn("psam_issued_at", "varchar(32)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
}
