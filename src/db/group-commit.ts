import { setTimeout as sleep } from "node:timers/promises";
import { type Kysely, sql, type Transaction } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Two kinds of group commit live here. `createGroupCommit`: rows that change nothing but a log, fire
 * and forget. `createBatchGroupCommit`: units of work whose callers wait for the durable commit
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

/** What a unit of a batch came to: its value, or the error its caller gets. */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * A unit whose rows another transaction holds (a read with SKIP LOCKED left them out): it goes to a
 * later batch instead of waiting inside this one. Its code is PostgreSQL's for a row lock not available.
 */
export class RowsBusy extends Error {
  readonly code = "55P03";
  constructor() {
    super("rows held by another transaction");
  }
}

type Job<I> = {
  input: I;
  busySince?: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
};

const codeOf = (err: unknown) => String((err as { code?: unknown })?.code);
/** PostgreSQL's deadlock and serialisation failures: the whole batch is run again. */
const retryable = (err: unknown) => ["40P01", "40001"].includes(codeOf(err));
/** Rows another transaction holds: the unit goes to a later batch. */
const busy = (err: unknown) => err instanceof RowsBusy;
/** How long a unit may find its rows busy before its caller gets the error (then 503, see isDatabaseUnavailable). */
const BUSY_LIMIT_MS = 5_000;

/**
 * Group commit: units of work that arrive while a batch is being written are applied together in the
 * next transaction, so one durable commit carries many of them. `apply` takes the whole batch (in the
 * order the units arrived) and answers each unit's outcome; a unit it refuses must leave no write. When `apply` throws, the batch is rolled back to a savepoint and each unit is applied alone in
 * its own savepoint, so only the unit that fails gets the error. Every caller is answered only after the
 * commit (or with the commit's error): nothing is acknowledged before it is durable. A unit whose rows
 * another transaction holds (RowsBusy) goes to a later batch instead of waiting, so a batch never
 * deadlocks with a single transaction that locks the same rows in another order; a deadlock or
 * serialisation failure of the whole batch runs it again.
 */
export function createBatchGroupCommit<I, R>(options: {
  db: Kysely<Database>;
  maxBatch?: number;
  apply: (trx: Transaction<Database>, units: readonly I[]) => Promise<Outcome<R>[]>;
  /** Called after a rollback to a savepoint (e.g. to forget a cached audit head). */
  afterRollback?: (trx: Transaction<Database>) => void;
  /** Log rows that ride in each batch's transaction instead of one of their own. */
  carries?: readonly Pick<GroupCommit<unknown>, "writeInto">[];
  /** How long a unit may find its rows busy before its caller gets RowsBusy (default 5 s). */
  busyLimitMs?: number;
}) {
  const maxBatch = options.maxBatch ?? 64;
  const busyLimitMs = options.busyLimitMs ?? BUSY_LIMIT_MS;
  const queue: Job<I>[] = [];
  let draining = false;

  /** The next batch, in the order the units arrived. */
  const take = () => queue.splice(0, maxBatch);

  /** Runs `work` inside a savepoint; if it throws, rolls back to the savepoint and answers the error. */
  async function inSavepoint<T>(
    trx: Transaction<Database>,
    name: string,
    work: () => Promise<T>,
  ): Promise<Outcome<T>> {
    await sql.raw(`savepoint ${name}`).execute(trx);
    try {
      const value = await work();
      await sql.raw(`release savepoint ${name}`).execute(trx);
      return { ok: true, value };
    } catch (error) {
      await sql.raw(`rollback to savepoint ${name}`).execute(trx);
      await sql.raw(`release savepoint ${name}`).execute(trx);
      options.afterRollback?.(trx);
      return { ok: false, error };
    }
  }

  /** The batch's outcomes: all units at once, or, when that throws, each unit alone. */
  async function applyAll(trx: Transaction<Database>, batch: readonly Job<I>[]): Promise<Outcome<R>[]> {
    const whole = await inSavepoint(trx, "batch", () =>
      options.apply(
        trx,
        batch.map((j) => j.input),
      ),
    );
    if (whole.ok) return whole.value;
    if (batch.length === 1) return [whole];
    const outcomes: Outcome<R>[] = [];
    for (const job of batch) {
      const alone = await inSavepoint(trx, "unit", () => options.apply(trx, [job.input]));
      outcomes.push(alone.ok ? alone.value[0] : alone);
    }
    return outcomes;
  }

  /** Runs one batch; answers whether any unit was done (not all of them found their rows busy). */
  async function runBatch(): Promise<boolean> {
    // The batch is taken once the transaction has begun: units that arrive while it waits for the
    // write lock (another process's batch) ride in it.
    let batch: Job<I>[] | undefined;
    for (let attempt = 0; ; attempt++) {
      let outcomes: Outcome<R>[] = [];
      const carried: ((committed: boolean) => void)[] = [];
      try {
        await options.db.transaction().execute(async (trx) => {
          batch ??= take();
          for (const log of options.carries ?? []) carried.push(await log.writeInto(trx));
          outcomes = await applyAll(trx, batch);
        });
      } catch (error) {
        for (const done of carried) done(false);
        if (retryable(error) && attempt < 3) continue;
        // A transaction that could not begin (the write lock stayed busy): the waiting units get its error.
        for (const job of batch ?? take()) job.reject(error);
        return true;
      }
      for (const done of carried) done(true);
      const again: Job<I>[] = [];
      const now = Date.now();
      for (const [i, job] of batch!.entries()) {
        const o = outcomes[i];
        if (o.ok) {
          job.resolve(o.value);
          continue;
        }
        if (busy(o.error)) {
          job.busySince ??= now;
          if (now - job.busySince < busyLimitMs) {
            again.push(job);
            continue;
          }
        }
        job.reject(o.error);
      }
      // Units whose rows were held elsewhere (e.g. a loss report in progress) go first in the next batch.
      queue.unshift(...again);
      return again.length < batch!.length;
    }
  }

  async function drain() {
    try {
      // A batch that did nothing (all its rows were held elsewhere) lets the other transaction finish.
      while (queue.length) if (!(await runBatch())) await sleep(1);
    } finally {
      draining = false;
    }
  }

  return {
    /** Applies `input` in the next batch's transaction; resolves with its value once that is committed. */
    execute(input: I): Promise<R> {
      return new Promise<R>((resolve, reject) => {
        queue.push({ input, resolve: resolve as (v: unknown) => void, reject });
        // The batch starts after the requests already read from the sockets have queued their units.
        if (!draining) {
          draining = true;
          setImmediate(() => void drain());
        }
      });
    },
  };
}
