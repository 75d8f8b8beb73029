import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

type Row = Database["payment_orders"];

/** SQL for the payment orders. */
export function createPaymentsRepository() {
  return {
    insert: (trx: Transaction<Database>, row: Row) => trx.insertInto("payment_orders").values(row).execute(),
    byNo: (q: Kysely<Database>, orderNo: string) =>
      q.selectFrom("payment_orders").selectAll().where("order_no", "=", orderNo).executeTakeFirst(),
    /** Marks a created order paid; false when it was paid already (by a concurrent notification). */
    async markPaid(
      trx: Transaction<Database>,
      orderNo: string,
      paid: { paid_at: string; bank_txn_no: string; contribution_id: string },
    ) {
      const r = await trx
        .updateTable("payment_orders")
        .set({ ...paid, state: "paid" })
        .where("order_no", "=", orderNo)
        .where("state", "=", "created")
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** Orders still waiting for the bank, made between `from` and `to` (ISO instants), oldest first. */
    waiting: (q: Kysely<Database>, from: string, to: string) =>
      q
        .selectFrom("payment_orders")
        .select("order_no")
        .where("state", "=", "created")
        .where("created_at", ">=", from)
        .where("created_at", "<=", to)
        .orderBy("created_at")
        .limit(1000)
        .execute(),
    /** Moves an order from one state to the next; false when another request moved it first. */
    async moveState(
      trx: Transaction<Database>,
      orderNo: string,
      from: Row["state"],
      to: Partial<Row> & { state: Row["state"] },
    ) {
      const r = await trx
        .updateTable("payment_orders")
        .set(to)
        .where("order_no", "=", orderNo)
        .where("state", "=", from)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type PaymentsRepository = ReturnType<typeof createPaymentsRepository>;
