import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { NationalOutboxTable } from "./national.tables.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** A province's outbox to the national hub. */
export function createNationalRepository() {
  return {
    add: (
      trx: Transaction<Database>,
      row: Omit<NationalOutboxTable, "claimed_until" | "attempts" | "last_error" | "delivered_at">,
    ) =>
      trx
        .insertInto("national_outbox")
        .values({ ...row, claimed_until: null, attempts: 0, last_error: null, delivered_at: null })
        .execute(),

    /**
     * Claims up to `limit` undelivered rows, oldest first, until `until`: one statement, so two
     * deliverers at once take different rows (a row whose lease ran out is taken again: at least once).
     */
    claim: (q: Q, now: string, until: string, limit: number) =>
      q
        .updateTable("national_outbox")
        .set((eb) => ({ claimed_until: until, attempts: eb("attempts", "+", 1) }))
        .where("id", "in", (eb) =>
          eb
            .selectFrom("national_outbox")
            .select("id")
            .where("delivered_at", "is", null)
            .where((w) => w.or([w("claimed_until", "is", null), w("claimed_until", "<", now)]))
            .orderBy("at")
            .limit(limit),
        )
        .where((w) => w.or([w("claimed_until", "is", null), w("claimed_until", "<", now)]))
        .returning(["id", "at", "payload"])
        .execute(),

    delivered: (q: Q, ids: readonly string[], at: string) =>
      q
        .updateTable("national_outbox")
        .set({ delivered_at: at, claimed_until: null, last_error: null })
        .where("id", "in", ids)
        .execute(),

    /** A failed delivery: the rows are left for the next attempt after the lease, with the reason. */
    failed: (q: Q, ids: readonly string[], error: string) =>
      q
        .updateTable("national_outbox")
        .set({ last_error: error.slice(0, 200) })
        .where("id", "in", ids)
        .execute(),

    /** Deletes up to `limit` rows delivered before `before` (the outbox keeps a week of what it sent): how many. */
    prune: async (q: Q, before: string, limit: number) =>
      Number(
        (
          await q
            .deleteFrom("national_outbox")
            .where("id", "in", (eb) =>
              eb
                .selectFrom("national_outbox")
                .select("id")
                .where("delivered_at", "is not", null)
                .where("delivered_at", "<", before)
                .limit(limit),
            )
            .executeTakeFirst()
        ).numDeletedRows,
      ),

    async backlog(q: Q) {
      const r = await q
        .selectFrom("national_outbox")
        .select((eb) => [eb.fn.countAll<number>().as("n"), eb.fn.min("at").as("oldest")])
        .where("delivered_at", "is", null)
        .executeTakeFirstOrThrow();
      return { pending: Number(r.n), oldestAt: (r.oldest as string | null) ?? null };
    },
  };
}

export type NationalRepository = ReturnType<typeof createNationalRepository>;
