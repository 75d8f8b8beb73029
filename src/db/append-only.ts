import { type Kysely, type QueryExecutorProvider, sql } from "kysely";
import type { Dialect } from "./database.ts";

/** The tables no one may change or delete rows of, in the database itself: the audit log and its seals. */
export const APPEND_ONLY_TABLES = ["audit_log", "audit_checkpoints"] as const;
export type AppendOnlyTable = (typeof APPEND_ONLY_TABLES)[number];

/** The triggers that keep `table` append-only, by name: their names are what the start-up check looks for. */
export function appendOnlyTriggers(dialect: Dialect, table: AppendOnlyTable): Record<string, string> {
  if (dialect === "sqlite")
    return {
      [`${table}_no_update`]: `create trigger ${table}_no_update before update on ${table}
        begin select raise(abort, '${table} is append-only'); end`,
      [`${table}_no_delete`]: `create trigger ${table}_no_delete before delete on ${table}
        begin select raise(abort, '${table} is append-only'); end`,
    };
  return {
    [`${table}_no_update`]: `create trigger ${table}_no_update before update or delete on ${table}
      for each row execute function audit_log_refuse()`,
    [`${table}_no_truncate`]: `create trigger ${table}_no_truncate before truncate on ${table}
      for each statement execute function audit_log_refuse()`,
  };
}

/** PostgreSQL's trigger function, shared by every append-only table (the first migration made it). */
const REFUSE_FUNCTION = `create or replace function audit_log_refuse() returns trigger language plpgsql as $$
  begin raise exception '% is append-only', tg_table_name; end $$`;

/** Creates the triggers of `table` (migrations). */
export async function createAppendOnlyTriggers(
  db: Kysely<unknown>,
  dialect: Dialect,
  table: AppendOnlyTable,
) {
  if (dialect === "postgres") await sql.raw(REFUSE_FUNCTION).execute(db);
  for (const ddl of Object.values(appendOnlyTriggers(dialect, table))) await sql.raw(ddl).execute(db);
}

/** Which of the append-only triggers are missing or switched off (PostgreSQL `disable trigger`). */
export async function missingAppendOnlyTriggers(
  db: QueryExecutorProvider,
  dialect: Dialect,
): Promise<string[]> {
  const present = new Set<string>();
  if (dialect === "sqlite") {
    const rows = await sql<{ name: string }>`select name from sqlite_master where type = 'trigger'`.execute(
      db,
    );
    for (const r of rows.rows) present.add(r.name);
  } else {
    const rows = await sql<{ name: string }>`select tgname as name from pg_trigger
      where not tgisinternal and tgenabled <> 'D'`.execute(db);
    for (const r of rows.rows) present.add(r.name);
  }
  return APPEND_ONLY_TABLES.flatMap((t) => Object.keys(appendOnlyTriggers(dialect, t))).filter(
    (name) => !present.has(name),
  );
}

/**
 * Puts back the append-only triggers someone dropped or switched off (start-up); returns their names.
 * A trigger that exists but is disabled is dropped and created again.
 */
export async function restoreAppendOnlyTriggers(
  db: QueryExecutorProvider,
  dialect: Dialect,
): Promise<string[]> {
  const missing = await missingAppendOnlyTriggers(db, dialect);
  if (missing.length === 0) return [];
  if (dialect === "postgres") await sql.raw(REFUSE_FUNCTION).execute(db);
  for (const table of APPEND_ONLY_TABLES) {
    for (const [name, ddl] of Object.entries(appendOnlyTriggers(dialect, table))) {
      if (!missing.includes(name)) continue;
      await sql
        .raw(`drop trigger if exists ${name}${dialect === "postgres" ? ` on ${table}` : ""}`)
        .execute(db);
      await sql.raw(ddl).execute(db);
    }
  }
  return missing;
}
