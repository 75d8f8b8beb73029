import type { Kysely, Transaction } from "kysely";
import type { Database } from "./schema.ts";

/**
 * Rows that change nothing but a log are written in groups (group commit) instead of one transaction
 * each: at most `maxDelayMs` later, or at once when `maxBatch` are waiting, and on `flush()` (at
 * shutdown, and before reading the log). A crash can lose the last few milliseconds of rows; anything
 * that must not be lost is written in its own transaction by the caller instead.
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

  return {
    enqueue(row: T) {
      queue.push(row);
      if (queue.length >= maxBatch) void flush();
      else if (!timer) {
        timer = setTimeout(() => void flush(), maxDelay);
        timer.unref();
      }
    },
    flush,
  };
}

export type GroupCommit<T> = ReturnType<typeof createGroupCommit<T>>;
