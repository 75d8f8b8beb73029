import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { CredentialsRepository } from "./credentials.repository.ts";

/**
 * Successful password attempts change nothing but the log, so they are written in groups (group
 * commit) instead of one transaction each: at most `maxDelayMs` later, or at once when `maxBatch` are
 * waiting, and on shutdown. A crash can lose the last few milliseconds of successful-attempt records;
 * wrong attempts, which move the lockout counter, are always written in their own transaction.
 */
export function createAttemptLog(deps: {
  db: Kysely<Database>;
  repo: CredentialsRepository;
  maxDelayMs?: number;
  maxBatch?: number;
  onError?: (err: unknown) => void;
}) {
  const maxDelay = deps.maxDelayMs ?? 20;
  const maxBatch = deps.maxBatch ?? 500;
  let queue: Database["pin_attempts"][] = [];
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<void> = Promise.resolve();

  async function write(rows: Database["pin_attempts"][]) {
    try {
      await deps.db.transaction().execute(async (trx) => {
        for (const row of rows) await deps.repo.insertAttempt(trx, row);
      });
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
    enqueue(row: Database["pin_attempts"]) {
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

export type AttemptLog = ReturnType<typeof createAttemptLog>;
