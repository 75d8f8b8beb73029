import type { Kysely } from "kysely";

/** A hospital or pharmacy operator's grant (and an institution's API key) names the institution it acts for. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("staff_roles").addColumn("institution_id", "varchar(36)").execute();
  await db.schema.alterTable("api_keys").addColumn("institution_id", "varchar(36)").execute();
}
