import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../db/database.ts";
import type { HubDatabase } from "./hub.tables.ts";
import { PROVINCES } from "./national.rules.ts";

/** Whether the database is a Citus coordinator (the extension is installed in it). */
export async function isCitus(db: Kysely<HubDatabase>, dialect: Dialect): Promise<boolean> {
  if (dialect !== "postgres") return false;
  const r = await sql<{
    n: number;
  }>`select count(*)::int as n from pg_extension where extname = 'citus'`.execute(db);
  return r.rows[0].n > 0;
}

/**
 * Creates the hub's tables once (the version in `hub_meta`), and on Citus distributes them: every
 * primary key includes the distribution column, as Citus requires. Plain PostgreSQL and SQLite serve the
 * same tables undistributed (a small hub, the demo).
 */
export async function migrateHub(db: Kysely<HubDatabase>, dialect: Dialect): Promise<"created" | "current"> {
  await db.schema
    .createTable("hub_meta")
    .ifNotExists()
    .addColumn("key", "varchar(32)", (c) => c.primaryKey())
    .addColumn("value", "varchar(64)", (c) => c.notNull())
    .execute();
  const version = await db
    .selectFrom("hub_meta")
    .select("value")
    .where("key", "=", "schema")
    .executeTakeFirst();
  if (version) return "current";
  const citus = await isCitus(db, dialect);
  await db.schema
    .createTable("hub_provinces")
    .addColumn("code", "varchar(2)", (c) => c.primaryKey())
    .addColumn("name", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("hub_persons")
    .addColumn("national_index", "varchar(64)", (c) => c.primaryKey())
    .addColumn("reserved_province", "varchar(2)")
    .addColumn("reserved_at", "varchar(32)")
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("hub_person_cards")
    .addColumn("national_index", "varchar(64)", (c) => c.notNull())
    .addColumn("card_number", "varchar(9)", (c) => c.notNull())
    .addColumn("province", "varchar(2)", (c) => c.notNull())
    .addColumn("state", "varchar(24)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("hub_person_cards_pk", ["national_index", "card_number"])
    .execute();
  await db.schema
    .createTable("hub_card_routes")
    .addColumn("card_number", "varchar(9)", (c) => c.primaryKey())
    .addColumn("national_index", "varchar(64)", (c) => c.notNull())
    .addColumn("province", "varchar(2)", (c) => c.notNull())
    .addColumn("state", "varchar(24)", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("hub_settlements")
    .addColumn("key", "varchar(200)", (c) => c.primaryKey())
    .addColumn("treating_province", "varchar(2)", (c) => c.notNull())
    .addColumn("home_province", "varchar(2)", (c) => c.notNull())
    .addColumn("card_number", "varchar(9)", (c) => c.notNull())
    .addColumn("settlement_id", "varchar(36)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("total_fen", "bigint", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("hub_settlements_day").on("hub_settlements").columns(["day"]).execute();
  if (citus) {
    await sql`select create_reference_table('hub_provinces')`.execute(db);
    await sql`select create_distributed_table('hub_persons', 'national_index')`.execute(db);
    await sql`select create_distributed_table('hub_person_cards', 'national_index', colocate_with => 'hub_persons')`.execute(
      db,
    );
    await sql`select create_distributed_table('hub_card_routes', 'card_number')`.execute(db);
    await sql`select create_distributed_table('hub_settlements', 'key')`.execute(db);
  }
  await db
    .insertInto("hub_provinces")
    .values(PROVINCES.map(([code, name]) => ({ code, name })))
    .execute();
  await db.insertInto("hub_meta").values({ key: "schema", value: "1" }).execute();
  return "created";
}
