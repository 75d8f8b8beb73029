import type { Kysely } from "kysely";
import { createGroupCommit } from "../../db/group-commit.ts";
import type { Database } from "../../db/schema.ts";
import type { CredentialsRepository } from "./credentials.repository.ts";

/**
 * Successful password attempts change nothing but the log, so they are group-committed; wrong
 * attempts, which move the lockout counter, are always written in their own transaction.
 */
export function createAttemptLog(deps: {
  db: Kysely<Database>;
  repo: CredentialsRepository;
  maxDelayMs?: number;
  maxBatch?: number;
  onError?: (err: unknown) => void;
}) {
  return createGroupCommit<Database["pin_attempts"]>({
    ...deps,
    // One insert per 128 rows (preparedInsert).
    write: (trx, rows) => deps.repo.insertAttempt(trx, rows),
  });
}

export type AttemptLog = ReturnType<typeof createAttemptLog>;
