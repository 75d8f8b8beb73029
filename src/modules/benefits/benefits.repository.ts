import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import type { BenefitFailure } from "./benefits.rules.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Payment = Database["benefit_payments"];

/** SQL for benefit batches, their payments and the partner banks' files. */
export function createBenefitsRepository() {
  return {
    insertBatch: (trx: Transaction<Database>, row: Database["benefit_batches"]) =>
      trx.insertInto("benefit_batches").values(row).execute(),
    batch: (q: Q, id: string) =>
      q.selectFrom("benefit_batches").selectAll().where("id", "=", id).executeTakeFirst(),
    batchByReference: (q: Q, areaCode: string, reference: string) =>
      q
        .selectFrom("benefit_batches")
        .selectAll()
        .where("area_code", "=", areaCode)
        .where("reference", "=", reference)
        .executeTakeFirst(),
    batchesOf: (q: Q, areaCode: string, limit: number) =>
      q
        .selectFrom("benefit_batches")
        .selectAll()
        .where("area_code", "=", areaCode)
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute(),
    /** The batch's payments by state (and failure). */
    countsOf: (q: Q, batchId: string) =>
      q
        .selectFrom("benefit_payments")
        .select([
          "state",
          "failure",
          (e) => e.fn.countAll<number>().as("n"),
          (e) => e.fn.sum<number>("amount_fen").as("fen"),
        ])
        .where("batch_id", "=", batchId)
        .groupBy(["state", "failure"])
        .execute(),
    /** Which of these persons already have this benefit for this month, and in which batch. */
    listed: (q: Q, kind: string, period: string, personIds: string[]) =>
      personIds.length
        ? q
            .selectFrom("benefit_payments")
            .select(["person_id", "batch_id"])
            .where("kind", "=", kind as Payment["kind"])
            .where("period", "=", period)
            .where("person_id", "in", personIds)
            .execute()
        : Promise.resolve([]),
    insertPayments: async (trx: Transaction<Database>, rows: Payment[]) => {
      for (let i = 0; i < rows.length; i += 500)
        await trx
          .insertInto("benefit_payments")
          .values(rows.slice(i, i + 500))
          .execute();
    },
    /** The batch's payments that may go into a payment file: not yet sent, or failed and perhaps remedied. */
    toSend: (q: Q, batchId: string) =>
      q
        .selectFrom("benefit_payments")
        .selectAll()
        .where("batch_id", "=", batchId)
        .where("state", "in", ["pending", "failed"])
        .orderBy("id")
        .execute(),
    paymentsOfBatch: (q: Q, batchId: string, states: Payment["state"][], limit: number) =>
      q
        .selectFrom("benefit_payments")
        .selectAll()
        .where("batch_id", "=", batchId)
        .where("state", "in", states)
        .orderBy("id")
        .limit(limit)
        .execute(),
    payment: (q: Q, id: string) =>
      q.selectFrom("benefit_payments").selectAll().where("id", "=", id).executeTakeFirst(),
    paymentsOfFile: (q: Q, fileId: string) =>
      q.selectFrom("benefit_payments").selectAll().where("file_id", "=", fileId).orderBy("id").execute(),
    paymentsOfPerson: (q: Q, personId: string) =>
      q
        .selectFrom("benefit_payments")
        .selectAll()
        .where("person_id", "=", personId)
        .orderBy("period", "desc")
        .orderBy("kind")
        .limit(120)
        .execute(),
    /**
     * Moves a payment on from the state and attempt it was read in (counting one more attempt); false
     * when another request moved it first.
     */
    async move(
      trx: Transaction<Database>,
      from: Pick<Payment, "id" | "state" | "attempts">,
      to: Partial<Payment>,
    ) {
      const r = await trx
        .updateTable("benefit_payments")
        .set({ ...to, attempts: from.attempts + 1 })
        .where("id", "=", from.id)
        .where("state", "=", from.state)
        .where("attempts", "=", from.attempts)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** The bank's result for a payment it was sent in `fileId`; false when the payment is no longer waiting there. */
    async settle(
      trx: Transaction<Database>,
      id: string,
      fileId: string,
      to: {
        state: "paid" | "failed";
        failure: BenefitFailure | null;
        bank_txn_no: string | null;
        paid_at: string | null;
        updated_at: string;
      },
    ) {
      const r = await trx
        .updateTable("benefit_payments")
        .set(to)
        .where("id", "=", id)
        .where("file_id", "=", fileId)
        .where("state", "=", "sent")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    insertFile: (trx: Transaction<Database>, row: Database["benefit_files"]) =>
      trx.insertInto("benefit_files").values(row).execute(),
    file: (q: Q, id: string) =>
      q.selectFrom("benefit_files").selectAll().where("id", "=", id).executeTakeFirst(),
    filesOf: (q: Q, batchId: string) =>
      q
        .selectFrom("benefit_files")
        .selectAll()
        .where("batch_id", "=", batchId)
        .orderBy("created_at")
        .orderBy("id")
        .execute(),
    markFileReturned: (trx: Transaction<Database>, id: string, at: string) =>
      trx
        .updateTable("benefit_files")
        .set({ returned_at: at })
        .where("id", "=", id)
        .where("returned_at", "is", null)
        .execute(),
  };
}

export type BenefitsRepository = ReturnType<typeof createBenefitsRepository>;
