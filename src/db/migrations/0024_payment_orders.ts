import type { Kysely } from "kysely";

/**
 * Payment orders of self-service contributions (a flexible worker pays a month on a grade at a kiosk
 * or in the hall): the amount fixed when the order is made, paid once by the bank's signed notification.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("payment_orders")
    .addColumn("order_no", "varchar(32)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("grade_percent", "integer", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("paid_at", "varchar(32)")
    .addColumn("bank_txn_no", "varchar(64)")
    .addColumn("contribution_id", "varchar(36)")
    .execute();
  await db.schema
    .createIndex("payment_orders_person")
    .on("payment_orders")
    .columns(["person_id", "created_at"])
    .execute();
}
