import type { CompiledQuery, Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Compilable<R> = { compile(): CompiledQuery<R> };

const SENTINEL = "\u0000sscard-param-";

/**
 * A query built and compiled once, then run with new values: building and compiling a Kysely query
 * costs several times more than running it on SQLite, which matters on paths taken by every request.
 * The builder must use each argument as a plain value (not inside a LIKE pattern, not as a list
 * whose length varies), because the compiled SQL is reused.
 */
export function preparedQuery<A extends readonly unknown[], R>(build: (q: Q, ...args: A) => Compilable<R>) {
  let compiled: CompiledQuery<R> | undefined;
  return async (q: Q, ...args: A): Promise<R[]> => {
    if (!compiled) {
      const sentinels = args.map((_, i) => `${SENTINEL}${i}`) as unknown as A;
      compiled = build(q, ...sentinels).compile();
    }
    const parameters = compiled.parameters.map((p) =>
      typeof p === "string" && p.startsWith(SENTINEL) ? args[Number(p.slice(SENTINEL.length))] : p,
    );
    const result = await q.executeQuery<R>({ ...compiled, parameters });
    return result.rows;
  };
}

/** The first row of a prepared query, or undefined. */
export function preparedFirst<A extends readonly unknown[], R>(build: (q: Q, ...args: A) => Compilable<R>) {
  const run = preparedQuery(build);
  return async (q: Q, ...args: A): Promise<R | undefined> => (await run(q, ...args))[0];
}
