import { type Kysely, sql } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { shippedRegions } from "../regions/regions.ts";
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

/** The hub's schema versions, each applied once in order (`hub_meta.schema` is the last applied). */
const STEPS: readonly ((db: Kysely<HubDatabase>, citus: boolean) => Promise<void>)[] = [
  createRegistry,
  createEcardStatus,
  createRefunds,
  createAreas,
];

/**
 * Brings the hub's tables to the current schema (the version in `hub_meta`), and on Citus distributes
 * them: every primary key includes the distribution column, as Citus requires. Plain PostgreSQL and
 * SQLite serve the same tables undistributed (a small hub, the demo).
 */
export async function migrateHub(
  db: Kysely<HubDatabase>,
  dialect: Dialect,
): Promise<"created" | "migrated" | "current"> {
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
  const from = Number(version?.value ?? 0);
  if (from >= STEPS.length) return "current";
  const citus = await isCitus(db, dialect);
  for (let step = from; step < STEPS.length; step += 1) {
    await STEPS[step](db, citus);
    await db
      .insertInto("hub_meta")
      .values({ key: "schema", value: String(step + 1) })
      .onConflict((oc) => oc.column("key").doUpdateSet({ value: String(step + 1) }))
      .execute();
  }
  return from === 0 ? "created" : "migrated";
}

/** Schema 1: the registry, card routes, settlements and the provinces. */
async function createRegistry(db: Kysely<HubDatabase>, citus: boolean) {
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
}

/** Schema 2: each card's e-card state in the registry, and the national e-card status list. */
async function createEcardStatus(db: Kysely<HubDatabase>, citus: boolean) {
  for (const table of ["hub_person_cards", "hub_card_routes"] as const) {
    if (table === "hub_person_cards")
      await db.schema.alterTable(table).addColumn("ecard_id", "varchar(32)").execute();
    await db.schema.alterTable(table).addColumn("ecard_sv", "integer").execute();
    await db.schema.alterTable(table).addColumn("ecard_usable", "smallint").execute();
  }
  await db.schema
    .createTable("hub_ecard_status")
    .addColumn("province", "varchar(2)", (c) => c.notNull())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .addColumn("ecard_id", "varchar(32)", (c) => c.notNull())
    .addColumn("sv", "integer", (c) => c.notNull())
    .addColumn("usable", "smallint", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("hub_ecard_status_pk", ["province", "seq"])
    .addUniqueConstraint("hub_ecard_status_once", ["province", "ecard_id", "sv"])
    .execute();
  await db.schema
    .createTable("hub_ecard_cursors")
    .addColumn("province", "varchar(2)", (c) => c.primaryKey())
    .addColumn("seq", "bigint", (c) => c.notNull())
    .execute();
  if (citus) {
    await sql`select create_distributed_table('hub_ecard_cursors', 'province')`.execute(db);
    await sql`select create_distributed_table('hub_ecard_status', 'province', colocate_with => 'hub_ecard_cursors')`.execute(
      db,
    );
  }
}

/** Schema 3: refunds of cross-province settlements, netted on their day. */
async function createRefunds(db: Kysely<HubDatabase>, citus: boolean) {
  await db.schema
    .createTable("hub_refunds")
    .addColumn("key", "varchar(220)", (c) => c.primaryKey())
    .addColumn("settlement_key", "varchar(200)", (c) => c.notNull())
    .addColumn("treating_province", "varchar(2)", (c) => c.notNull())
    .addColumn("home_province", "varchar(2)", (c) => c.notNull())
    .addColumn("refund_id", "varchar(36)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("hub_refunds_day").on("hub_refunds").columns(["day"]).execute();
  if (citus) await sql`select create_distributed_table('hub_refunds', 'key')`.execute(db);
}

/** Schema 4: the areas a card may be issued in (GB/T 2260, as shipped), on every node. */
async function createAreas(db: Kysely<HubDatabase>, citus: boolean) {
  await db.schema
    .createTable("hub_areas")
    .addColumn("code", "varchar(6)", (c) => c.primaryKey())
    .addColumn("province", "varchar(2)", (c) => c.notNull())
    .addColumn("name", "varchar(64)", (c) => c.notNull())
    .execute();
  if (citus) await sql`select create_reference_table('hub_areas')`.execute(db);
  const rows = shippedRegions()
    .all()
    .map((r) => ({ code: r.code, province: r.code.slice(0, 2), name: r.name }));
  for (let i = 0; i < rows.length; i += 500)
    await db
      .insertInto("hub_areas")
      .values(rows.slice(i, i + 500))
      .execute();
}
