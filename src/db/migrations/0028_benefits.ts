import type { Kysely } from "kysely";

/**
 * Benefits paid to the card (seed 001: "if you receive employment subsidies, pensions and other
 * benefits through the social security card, you need to activate the financial function"): an
 * office's payment batch, one payment per person and benefit month (never two), the partner banks'
 * payment files and their results.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("benefit_batches")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    // The office's own reference (its payment order number): the same batch sent again is the same batch.
    .addColumn("reference", "varchar(64)", (c) => c.notNull())
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("period", "varchar(7)", (c) => c.notNull())
    .addColumn("payment_count", "integer", (c) => c.notNull())
    .addColumn("total_fen", "bigint", (c) => c.notNull())
    .addColumn("created_by", "varchar(128)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("benefit_batches_reference")
    .unique()
    .on("benefit_batches")
    .columns(["area_code", "reference"])
    .execute();
  await db.schema
    .createTable("benefit_files")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("batch_id", "varchar(36)", (c) => c.notNull().references("benefit_batches.id"))
    .addColumn("bank_code", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("returned_at", "varchar(32)")
    .execute();
  await db.schema.createIndex("benefit_files_batch").on("benefit_files").column("batch_id").execute();
  await db.schema
    .createTable("benefit_payments")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("batch_id", "varchar(36)", (c) => c.notNull().references("benefit_batches.id"))
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("period", "varchar(7)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("failure", "varchar(24)")
    .addColumn("card_number", "varchar(9)")
    .addColumn("bank_code", "varchar(16)")
    .addColumn("file_id", "varchar(36)")
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("bank_txn_no", "varchar(64)")
    .addColumn("paid_at", "varchar(32)")
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  // One payment of a benefit per person and month, whichever batch lists it.
  await db.schema
    .createIndex("benefit_payments_once")
    .unique()
    .on("benefit_payments")
    .columns(["kind", "period", "person_id"])
    .execute();
  await db.schema.createIndex("benefit_payments_batch").on("benefit_payments").column("batch_id").execute();
  await db.schema.createIndex("benefit_payments_file").on("benefit_payments").column("file_id").execute();
  await db.schema.createIndex("benefit_payments_person").on("benefit_payments").column("person_id").execute();
}
