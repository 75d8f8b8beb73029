import { type Kysely, sql, type Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { preparedFirst, preparedInsert, preparedLock } from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for card passwords, password attempts and the throttle. */
export function createCredentialsRepository(dialect: Dialect) {
  const get = preparedFirst((q, cardId: string) =>
    q.selectFrom("card_passwords").selectAll().where("card_id", "=", cardId),
  );
  const lockRow = preparedLock(dialect, (q, cardId: string) =>
    q.selectFrom("card_passwords").selectAll().where("card_id", "=", cardId),
  );
  const withThrottle = preparedFirst(
    (q, cardId: string, actorKey: string, sourceKey: string, windowStart: string) =>
      q
        .selectFrom("card_passwords")
        .selectAll()
        .select((eb) =>
          eb
            .selectFrom("pin_throttle")
            .select((t) => t.fn.max("failures").as("m"))
            .where("key", "in", [actorKey, sourceKey])
            .where("window_start", "=", windowStart)
            .as("throttle"),
        )
        .where("card_id", "=", cardId),
  );
  return {
    get: (q: Q, cardId: string) => get(q, cardId),

    /** The password row and the larger throttle count of the caller and source, in one read. */
    async getWithThrottle(q: Q, cardId: string, keys: readonly [string, string], windowStart: string) {
      const row = await withThrottle(q, cardId, keys[0], keys[1], windowStart);
      return row ? { ...row, throttle: Number(row.throttle ?? 0) } : undefined;
    },

    /** The card's password row, held until the transaction ends (PostgreSQL row lock; SQLite's write lock). */
    lock: (trx: Transaction<Database>, cardId: string) => lockRow(trx, cardId),

    insert: preparedInsert("card_passwords", [
      "card_id",
      "pvv",
      "is_initial",
      "failures",
      "failure_day",
      "locked_at",
      "changed_at",
      "created_at",
    ]),

    async update(trx: Transaction<Database>, cardId: string, changes: Partial<Database["card_passwords"]>) {
      await trx.updateTable("card_passwords").set(changes).where("card_id", "=", cardId).execute();
    },

    insertAttempt: preparedInsert("pin_attempts", [
      "id",
      "card_id",
      "at",
      "channel",
      "actor_type",
      "actor_id",
      "source",
      "purpose",
      "result",
      "failures_after",
    ]),

    attempts: (q: Q, cardId: string, limit: number) =>
      q
        .selectFrom("pin_attempts")
        .selectAll()
        .where("card_id", "=", cardId)
        .orderBy("at", "desc")
        .limit(limit)
        .execute(),

    /**
     * The larger throttle count of the caller and the source in a window, with both rows held until the
     * transaction ends (created at 0 when new; taken in key order, so two attempts never wait on each
     * other in a circle): concurrent attempts from one source count one after another.
     */
    async lockThrottle(trx: Transaction<Database>, keys: readonly string[], windowStart: string) {
      const sorted = [...new Set(keys)].sort();
      for (const key of sorted)
        await sql`insert into pin_throttle (key, window_start, failures) values (${key}, ${windowStart}, 0)
          on conflict (key, window_start) do nothing`.execute(trx);
      const read = trx
        .selectFrom("pin_throttle")
        .select("failures")
        .where("key", "in", sorted)
        .where("window_start", "=", windowStart)
        .orderBy("key");
      const rows = await (dialect === "postgres" ? read.forNoKeyUpdate() : read).execute();
      return Math.max(0, ...rows.map((r) => Number(r.failures)));
    },

    /** Counts one more wrong password for a throttle key in a window (insert or increment in one statement). */
    async bumpThrottle(trx: Transaction<Database>, key: string, windowStart: string) {
      await sql`insert into pin_throttle (key, window_start, failures) values (${key}, ${windowStart}, 1)
        on conflict (key, window_start) do update set failures = pin_throttle.failures + 1`.execute(trx);
    },
  };
}

export type CredentialsRepository = ReturnType<typeof createCredentialsRepository>;
