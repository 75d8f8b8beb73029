import type { CompiledQuery, Kysely, SelectQueryBuilder, Transaction } from "kysely";
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
 * The first row of a prepared read that holds the rows it reads until the transaction ends: on
 * PostgreSQL with FOR UPDATE, or with `{ noWait: true }` FOR UPDATE NOWAIT (a row another transaction
 * holds fails at once with 55P03 instead of waiting); on SQLite the write transaction already holds
 * the whole database.
 */
export function preparedLock<A extends readonly unknown[], TB extends keyof Database, O>(
  dialect: Dialect,
  build: (q: Q, ...args: A) => SelectQueryBuilder<Database, TB, O>,
) {
  const variant = (noWait: boolean) =>
    preparedFirst((q: Q, ...args: A) => {
      const query = build(q, ...args);
      if (dialect !== "postgres") return query;
      return noWait ? query.forUpdate().noWait() : query.forUpdate();
    });
  const wait = variant(false);
  const noWait = variant(true);
  return (trx: Transaction<Database>, options: { noWait?: boolean }, ...args: A) =>
    (options.noWait ? noWait : wait)(trx, ...args);
}

/**
 * An INSERT into `table` compiled once per number of rows: `columns` fixes the column order, and each
 * call passes one row, or a list of rows, with exactly those columns.
 */
export function preparedInsert<T extends keyof Database, C extends keyof Database[T] & string>(
  table: T,
  columns: readonly C[],
) {
  type Row = Pick<Database[T], C>;
  const compiled = new Map<number, { query: CompiledQuery; slots: number[] }>();
  return async (q: Q, rowOrRows: Row | readonly Row[]): Promise<void> => {
    const rows = (Array.isArray(rowOrRows) ? rowOrRows : [rowOrRows]) as unknown as Record<string, unknown>[];
    if (rows.length === 0) return;
    let prepared = compiled.get(rows.length);
    if (!prepared) {
      const sentinels = rows.map((_, r) =>
        Object.fromEntries(columns.map((c, i) => [c, `${SENTINEL}${r * columns.length + i}`])),
      );
      // biome-ignore lint/suspicious/noExplicitAny: the row type of a generic table cannot be named here
      const query = (q.insertInto(table) as any).values(sentinels).compile() as CompiledQuery;
      prepared = { query, slots: slotsOf(query) };
      if (compiled.size < 64) compiled.set(rows.length, prepared);
    }
    const { query, slots } = prepared;
    const width = columns.length;
    const parameters = slots.map((n, i) =>
      n < 0 ? query.parameters[i] : rows[Math.floor(n / width)][columns[n % width]],
    );
    await q.executeQuery({ ...query, parameters });
  };
}
