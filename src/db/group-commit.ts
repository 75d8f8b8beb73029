import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Two kinds of group commit live here. `createGroupCommit`: rows that change nothing but a log, fire
 * and forget. `createUnitGroupCommit`: units of work whose callers wait for the durable commit
 * (settlements).
 *
 * Rows that change nothing but a log are written in groups (group commit) instead of one transaction
 * each: at most `maxDelayMs` later, or at once when `maxBatch` are waiting, and on `flush()` (at
 * shutdown, and before reading the log), or sooner inside another group's transaction that carries
 * them (`writeInto`: a settlement batch carries the password attempts of its settlements). A crash can
 * lose the last few milliseconds of rows; anything that must not be lost is written in its own
 * transaction by the caller instead.
 */
export function createGroupCommit<T>(deps: {
  db: Kysely<Database>;
  write: (trx: Transaction<Database>, rows: readonly T[]) => Promise<void>;
  maxDelayMs?: number;
  maxBatch?: number;
  onError?: (err: unknown) => void;
}) {
  const maxDelay = deps.maxDelayMs ?? 20;
  const maxBatch = deps.maxBatch ?? 500;
  let queue: T[] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function write(rows: T[]) {
    try {
      await deps.db.transaction().execute((trx) => deps.write(trx, rows));
    } catch (err) {
      deps.onError?.(err);
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer);
      timer = undefined;
    }
    if (queue.length === 0) return flushing;
    const rows = queue;
    queue = [];
    flushing = flushing.then(() => write(rows));
    return flushing;
  }

  function schedule() {
    if (queue.length >= maxBatch) void flush();
    else if (!timer && queue.length) {
      timer = setTimeout(() => void flush(), maxDelay);
      timer.unref();
    }
  }

  return {
    enqueue(row: T) {
      queue.push(row);
      schedule();
    },
    flush,
    /**
     * Writes the waiting rows in `trx`, another group's transaction, inside a savepoint (a failure here
     * never fails that transaction's own work). Call the returned function with whether `trx`
     * committed: if not, the rows wait for the next write. `flush()` waits for them meanwhile.
     */
    async writeInto(trx: Transaction<Database>): Promise<(committed: boolean) => void> {
      if (queue.length === 0) return () => {};
      const rows = queue;
      queue = [];
      if (timer) {
        clearTimeout(timer);
        timer = undefined;
      }
      let settle!: () => void;
      flushing = Promise.all([flushing, new Promise<void>((resolve) => (settle = resolve))]).then(() => {});
      const requeue = () => {
        queue = rows.concat(queue);
        schedule();
        settle();
      };
      await sql.raw("savepoint log_rows").execute(trx);
      try {
        await deps.write(trx, rows);
        await sql.raw("release savepoint log_rows").execute(trx);
      } catch (err) {
        await sql.raw("rollback to savepoint log_rows").execute(trx);
        await sql.raw("release savepoint log_rows").execute(trx);
        deps.onError?.(err);
        requeue();
        return () => {};
      }
      return (committed) => (committed ? settle() : requeue());
    },
  };
}

export type GroupCommit<T> = ReturnType<typeof createGroupCommit<T>>;

type Job = {
  order: string;
  tries: number;
  run: (trx: Transaction<Database>) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

const codeOf = (err: unknown) => String((err as { code?: unknown })?.code);
/** PostgreSQL's deadlock and serialisation failures: the whole batch is run again. */
const retryable = (err: unknown) => ["40P01", "40001"].includes(codeOf(err));
/** A row lock another transaction holds (FOR UPDATE NOWAIT): the unit goes to the next batch. */
const busy = (err: unknown) => codeOf(err) === "55P03";
/** How often a unit may find its rows busy before its caller gets the error. */
const MAX_TRIES = 100;

/**
 * Group commit: units of work that arrive while a batch is being written are applied together in the
 * next transaction, each inside its own savepoint, so one durable commit carries many of them. A unit
 * that throws is rolled back to its savepoint alone and its caller gets the error; the others go on.
 * Every caller is answered only after the commit (or with the commit's error): nothing is acknowledged
 * before it is durable. Units run in `order` (e.g. the card they lock). A unit that finds a row held by
 * another transaction (it locks with NOWAIT, PostgreSQL 55P03) is put into the next batch instead of
 * waiting, so a batch never deadlocks with a single transaction that locks the same rows in another
 * order; a deadlock or serialisation failure of the whole batch runs it again.
 */
export function createUnitGroupCommit(options: {
  db: Kysely<Database>;
  maxBatch?: number;
  /** Run first in every batch's transaction (e.g. to take a lock that every unit needs). */
  begin?: (trx: Transaction<Database>) => Promise<void>;
  /** Called after a unit was rolled back to its savepoint (e.g. to forget a cached audit head). */
  afterRollback?: (trx: Transaction<Database>) => void;
  /** Log rows that ride in each batch's transaction instead of one of their own. */
  carries?: readonly Pick<GroupCommit<unknown>, "writeInto">[];
}) {
  const maxBatch = options.maxBatch ?? 64;
  const queue: Job[] = [];
  let draining = false;

  /** The next batch, in `order`. */
  const take = () =>
    queue.splice(0, maxBatch).sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));

  async function runBatch() {
    // The batch is taken once the transaction has begun: units that arrive while it waits for the
    // write lock (another process's batch) ride in it.
    let batch: Job[] | undefined;
    for (let attempt = 0; ; attempt++) {
      const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
      const carried: ((committed: boolean) => void)[] = [];
      try {
        await options.db.transaction().execute(async (trx) => {
          batch ??= take();
          await options.begin?.(trx);
          for (const log of options.carries ?? []) carried.push(await log.writeInto(trx));
          for (const [i, job] of batch.entries()) {
            await sql.raw(`savepoint unit_${i}`).execute(trx);
            try {
              const value = await job.run(trx);
              await sql.raw(`release savepoint unit_${i}`).execute(trx);
              outcomes.push({ ok: true, value });
            } catch (error) {
              await sql.raw(`rollback to savepoint unit_${i}`).execute(trx);
              await sql.raw(`release savepoint unit_${i}`).execute(trx);
              options.afterRollback?.(trx);
              outcomes.push({ ok: false, error });
            }
          }
        });
      } catch (error) {
        for (const done of carried) done(false);
        if (retryable(error) && attempt < 3) continue;
        // A transaction that could not begin (the write lock stayed busy): the waiting units get its error.
        for (const job of batch ?? take()) job.reject(error);
        return;
      }
      for (const done of carried) done(true);
      const again: Job[] = [];
      batch!.forEach((job, i) => {
        const o = outcomes[i];
        if (o.ok) job.resolve(o.value);
        else if (busy(o.error) && ++job.tries < MAX_TRIES) again.push(job);
        else job.reject(o.error);
      });
      // Units whose rows were held elsewhere (e.g. a loss report in progress) go first in the next batch.
      queue.unshift(...again);
      return;
    }
  }

  async function drain() {
    try {
      while (queue.length) await runBatch();
    } finally {
      draining = false;
    }
  }

  return {
    /** Runs `run` in the next batch's transaction; resolves with its result once that is committed. */
    execute<R>(order: string, run: (trx: Transaction<Database>) => Promise<R>): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ order, tries: 0, run, resolve: resolve as (v: unknown) => void, reject });
        // The batch starts after the requests already read from the sockets have queued their units.
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
