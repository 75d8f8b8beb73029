import {
  type CompiledQuery,
  type Kysely,
  type OnConflictBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
  sql,
  type Transaction,
} from "kysely";
import type { Dialect } from "./database.ts";
import type { Database } from "./schema.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Compilable<R> = { compile(): CompiledQuery<R> };

const SENTINEL = "\u0000sscard-param-";

/** For each parameter of a compiled query: the argument it takes (a sentinel's number), or -1 for a constant. */
const slotsOf = (compiled: CompiledQuery) =>
  compiled.parameters.map((p) =>
    typeof p === "string" && p.startsWith(SENTINEL) ? Number(p.slice(SENTINEL.length)) : -1,
  );

/**
 * A query built and compiled once, then run with new values: building and compiling a Kysely query
 * costs several times more than running it on SQLite, which matters on paths taken by every request.
 * The builder must use each argument as a plain value (not inside a LIKE pattern, not as a list
 * whose length varies), because the compiled SQL is reused. The SQL is compiled for the dialect of the
 * first call: create prepared queries inside a repository factory, never at module level.
 */
export function preparedQuery<A extends readonly unknown[], R>(build: (q: Q, ...args: A) => Compilable<R>) {
  let compiled: CompiledQuery<R> | undefined;
  let slots: number[] = [];
  return async (q: Q, ...args: A): Promise<R[]> => {
    if (!compiled) {
      const sentinels = args.map((_, i) => `${SENTINEL}${i}`) as unknown as A;
      compiled = build(q, ...sentinels).compile();
      slots = slotsOf(compiled);
    }
    const constants = compiled.parameters;
    const parameters = slots.map((slot, i) => (slot < 0 ? constants[i] : args[slot]));
    const result = await q.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}

/** The first row of a prepared query, or undefined. */
export function preparedFirst<A extends readonly unknown[], R>(build: (q: Q, ...args: A) => Compilable<R>) {
  const run = preparedQuery(build);
  return async (q: Q, ...args: A): Promise<R | undefined> => (await run(q, ...args))[0];
}

/**
 * How a read holds the rows it reads until the transaction ends, on PostgreSQL: FOR NO KEY UPDATE (waits
 * for a row another transaction holds) or SKIP LOCKED (leaves such rows out of the answer). On SQLite
 * the write transaction already holds the whole database.
 */
function lockedQuery<A extends readonly unknown[], TB extends keyof Database, O>(
  dialect: Dialect,
  mode: "wait" | "skipLocked",
  build: (q: Q, ...args: A) => SelectQueryBuilder<Database, TB, O>,
) {
  return preparedQuery((q: Q, ...args: A) => {
    const query = build(q, ...args);
    if (dialect !== "postgres") return query;
    // NO KEY UPDATE: holds the row against changes like FOR UPDATE, but lets other transactions insert
    // rows that reference it (a password attempt's foreign key to its card), which FOR UPDATE would block.
    return mode === "skipLocked" ? query.forNoKeyUpdate().skipLocked() : query.forNoKeyUpdate();
  });
}

/** The first row of a prepared read that holds the rows it reads until the transaction ends. */
export function preparedLock<A extends readonly unknown[], TB extends keyof Database, O>(
  dialect: Dialect,
  build: (q: Q, ...args: A) => SelectQueryBuilder<Database, TB, O>,
) {
  const run = lockedQuery(dialect, "wait", build);
  return async (trx: Transaction<Database>, ...args: A) => (await run(trx, ...args))[0];
}

/**
 * The rows of a prepared read that holds them until the transaction ends, leaving out (on PostgreSQL)
 * the rows another transaction holds: FOR UPDATE SKIP LOCKED. A batch takes what is free now and leaves
 * the rest for its next turn instead of waiting or failing.
 */
export function preparedLockFree<A extends readonly unknown[], TB extends keyof Database, O>(
  dialect: Dialect,
  build: (q: Q, ...args: A) => SelectQueryBuilder<Database, TB, O>,
) {
  const run = lockedQuery(dialect, "skipLocked", build);
  return (trx: Transaction<Database>, ...args: A) => run(trx, ...args);
}

/**
 * A list of values passed as one parameter of a prepared query (its length may vary from call to call):
 * a PostgreSQL array, or a JSON array that SQLite's json_each reads. Build it with `listParam`, test a
 * column against it with `inList`.
 */
export type ListParam = (readonly unknown[] | string) & { readonly __list: true };

export const listParam = (dialect: Dialect, values: readonly (string | number)[]): ListParam =>
  (dialect === "postgres" ? values : JSON.stringify(values)) as ListParam;

/** `column IN (the list)` for a ListParam argument of a prepared query. */
export function inList(dialect: Dialect, column: string, param: ListParam): RawBuilder<SqlBool> {
  const value = param as unknown;
  return dialect === "postgres"
    ? sql<SqlBool>`${sql.ref(column)} = any(${value})`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${value}))`;
}

/** The most rows one prepared INSERT writes; longer lists take several. */
const INSERT_CHUNK = 128;

/**
 * The row counts of the statements `n` rows are written with: INSERT_CHUNK while that many are left,
 * then powers of two. So a table has at most 8 compiled INSERTs whatever its lists' lengths: a form for
 * every length up to 128 kept as many statements in each connection's cache (a group-committed log
 * that grew to 395 MB under the online check's load, most of it SQLite's prepared 100–500-row inserts).
 */
export function insertChunks(n: number): number[] {
  const out: number[] = [];
  for (; n >= INSERT_CHUNK; n -= INSERT_CHUNK) out.push(INSERT_CHUNK);
  for (let size = INSERT_CHUNK / 2; size >= 1; size /= 2)
    if (n >= size) {
      out.push(size);
      n -= size;
    }
  return out;
}

/**
 * An INSERT into `table` compiled once per statement size (insertChunks): `columns` fixes the column
 * order, and each call passes one row, or a list of rows, with exactly those columns. With `upsert`, a row whose `key` exists already updates it instead: the `add` columns
 * are added to (a balance and its change), the `set` columns replaced.
 */
export function preparedInsert<T extends keyof Database, C extends keyof Database[T] & string>(
  table: T,
  columns: readonly C[],
  upsert?: { key: C; add?: readonly C[]; set?: readonly C[] },
) {
  type Row = Pick<Database[T], C>;
  const compiled = new Map<number, { query: CompiledQuery; slots: number[] }>();
  const width = columns.length;
  function prepare(q: Q, count: number) {
    let prepared = compiled.get(count);
    if (!prepared) {
      const sentinels = Array.from({ length: count }, (_, r) =>
        Object.fromEntries(columns.map((c, i) => [c, `${SENTINEL}${r * width + i}`])),
      );
      // biome-ignore lint/suspicious/noExplicitAny: the row type of a generic table cannot be named here
      let insert = (q.insertInto(table) as any).values(sentinels);
      if (upsert)
        insert = insert.onConflict((oc: OnConflictBuilder<Database, T>) =>
          oc
            .column(upsert.key)
            .doUpdateSet(
              Object.fromEntries([
                ...(upsert.add ?? []).map((c) => [
                  c,
                  sql`${sql.ref(`${table}.${c}`)} + ${sql.ref(`excluded.${c}`)}`,
                ]),
                ...(upsert.set ?? []).map((c) => [c, sql.ref(`excluded.${c}`)]),
              ]),
            ),
        );
      const query = insert.compile() as CompiledQuery;
      prepared = { query, slots: slotsOf(query) };
      compiled.set(count, prepared);
    }
    return prepared;
  }
  return async (q: Q, rowOrRows: Row | readonly Row[]): Promise<void> => {
    const all = (Array.isArray(rowOrRows) ? rowOrRows : [rowOrRows]) as unknown as Record<string, unknown>[];
    let from = 0;
    for (const size of insertChunks(all.length)) {
      const rows = size === all.length ? all : all.slice(from, from + size);
      from += size;
      const { query, slots } = prepare(q, size);
      const parameters = slots.map((n, i) =>
        n < 0 ? query.parameters[i] : rows[Math.floor(n / width)][columns[n % width]],
      );
      await q.executeQuery({ ...query, parameters });
    }
  };
}
