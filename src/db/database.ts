import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { Database } from "./schema.ts";
import { isSqliteBusy, NodeSqliteDialect } from "./sqlite-adapter.ts";

export type Dialect = "sqlite" | "postgres";

/** A connected database: the Kysely handle, which dialect it speaks, and how to close it. */
export type Db = Readonly<{
  db: Kysely<Database>;
  dialect: Dialect;
  /** Where the data lives, with any password removed (safe to log). */
  location: string;
  close: () => Promise<void>;
}>;

// int8 (COUNT, bigint ids) as numbers: our counts and sequence numbers stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number(value));
// numeric as strings: money is never a float.
pg.types.setTypeParser(1700, (value) => value);

/**
 * A pg client that runs every query with parameters as a named prepared statement: the server parses
 * and plans a statement once per connection instead of at every call (the same SQL text always has the
 * same name). Queries without parameters (begin, commit, savepoints, DDL) go as they are. At most
 * MAX_NAMED texts get a name, so SQL built with varying shapes cannot fill the server's memory.
 * A statement whose result columns changed under it (a migration added a column while this process
 * ran: "cached plan must not change result type", 0A000) fails once and gets a new name, so the next
 * call prepares it again.
 */
const MAX_NAMED = 2_000;
const statementNames = new Map<string, string>();
let renamed = 0;
class PreparingClient extends pg.Client {
  // biome-ignore lint/suspicious/noExplicitAny: pg's query() has many overloads; this passes them through
  override query(config: any, values?: any, callback?: any): any {
    if (typeof config === "string" && Array.isArray(values) && values.length > 0 && callback === undefined) {
      let name = statementNames.get(config);
      if (!name && statementNames.size < MAX_NAMED) {
        name = `s${statementNames.size}`;
        statementNames.set(config, name);
      }
      if (name)
        return super.query({ name, text: config, values }).catch((err: { code?: string }) => {
          if (err?.code === "0A000" && statementNames.get(config) === name)
            statementNames.set(config, `${name}r${++renamed}`);
          throw err;
        });
    }
    return super.query(config, values, callback);
  }
}

/** Opens `sqlite:<path>` (node:sqlite, WAL, synchronous=FULL) or `postgres://...` (pg pool). */
export function createDb(url: string, options: { poolSize?: number } = {}): Db {
  if (url.startsWith("sqlite:")) {
    const path = url.slice("sqlite:".length);
    const file = path === ":memory:" ? path : resolve(path);
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    const db = new Kysely<Database>({ dialect: new NodeSqliteDialect(file) });
    return Object.freeze({ db, dialect: "sqlite", location: file, close: () => db.destroy() });
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 10, Client: PreparingClient });
  // An idle client losing its server connection must not crash the process.
  pool.on("error", () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const location = url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
  return Object.freeze({ db, dialect: "postgres", location, close: () => db.destroy() });
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}

/**
 * True when the database could not do the work now but may shortly: SQLite's write lock stayed busy,
 * rows stayed held by other transactions (PostgreSQL 55P03, or a batch's RowsBusy), a prepared statement
 * met a table a migration changed, PostgreSQL refused connections (too many, starting or stopping) or
 * cannot be reached. The caller gets 503, not 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown };
  if (isSqliteBusy(err)) return true;
  // A prepared statement whose table a migration changed: prepared again at the next call.
  if (e?.code === "0A000" && /cached plan must not change result type/.test(String(e.message))) return true;
  return ["55P03", "53300", "57P01", "57P03", "ECONNREFUSED", "ECONNRESET"].includes(String(e?.code));
}

/** True for a unique-constraint violation on either dialect (a concurrent insert won the race). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown };
  if (e?.code === "23505") return true;
  return (
    e?.errcode === 2067 || e?.errcode === 1555 || /UNIQUE constraint failed/.test(String(e?.message ?? ""))
  );
}

/**
 * A foreign-key violation (a reference to a row that does not exist), and the field it concerns when
 * the database names it (PostgreSQL's detail `Key (area_code)=(…)`, as `areaCode`; SQLite does not say).
 */
export function foreignKeyViolation(err: unknown): { field: string } | undefined {
  const e = err as { code?: unknown; errcode?: unknown; message?: unknown; detail?: unknown };
  if (e?.code === "23503") {
    const column = /Key \(([a-z_]+)\)/.exec(String(e.detail ?? ""))?.[1];
    return { field: column ? column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase()) : "reference" };
  }
  if (e?.errcode === 787 || /FOREIGN KEY constraint failed/.test(String(e?.message ?? "")))
    return { field: "reference" };
  return undefined;
}

/** Awaits a write and turns a unique-constraint violation into the caller's domain error. */
export async function uniqueAs<T>(write: Promise<T>, error: () => Error): Promise<T> {
  try {
    return await write;
  } catch (err) {
    throw isUniqueViolation(err) ? error() : err;
  }
}
