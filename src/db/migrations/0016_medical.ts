import type { Kysely } from "kysely";
import type { Dialect } from "../database.ts";

/**
 * Money (issue 9): designated institutions and their terminals, the drug catalogue in versions with
 * effective dates, personal medical accounts with their double-entry ledger, contributions, monthly
 * account credits, settlements with their items and refunds. Amounts are integers in fen.
 */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("institutions")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("code", "varchar(32)", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("agreement_from", "varchar(10)", (c) => c.notNull())
    .addColumn("agreement_until", "varchar(10)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.alterTable("terminals").addColumn("institution_id", "varchar(36)").execute();

  await db.schema
    .createTable("catalogue_versions")
    .addColumn("version", "integer", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("effective_from", "varchar(10)", (c) => c.notNull())
    .addColumn("sample", "integer", (c) => c.notNull())
    .addColumn("item_count", "integer", (c) => c.notNull())
    .addColumn("imported_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("catalogue_items")
    .addColumn("version", "integer", (c) => c.notNull().references("catalogue_versions.version"))
    .addColumn("code", "varchar(32)", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("class", "varchar(8)", (c) => c.notNull())
    .addColumn("self_pay_bp", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("catalogue_items_pk", ["version", "code"])
    .execute();

  await db.schema
    .createTable("medical_accounts")
    .addColumn("person_id", "varchar(36)", (c) => c.primaryKey().references("persons.id"))
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("balance_fen", "bigint", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createTable("ledger_entries")
    // The posting order: statements list an account's entries in it.
    .addColumn("seq", dialect === "postgres" ? "bigserial" : "integer", (c) =>
      dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn("id", "varchar(36)", (c) => c.notNull().unique())
    .addColumn("journal_id", "varchar(36)", (c) => c.notNull())
    .addColumn("account", "varchar(64)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("kind", "varchar(24)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("ledger_entries_account")
    .on("ledger_entries")
    .columns(["account", "day"])
    .execute();
  await db.schema.createIndex("ledger_entries_journal").on("ledger_entries").column("journal_id").execute();

  await db.schema
    .createTable("contributions")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("coordination_area", "varchar(6)", (c) => c.notNull())
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("payer", "varchar(16)", (c) => c.notNull())
    .addColumn("employer_id", "varchar(36)")
    .addColumn("grade_percent", "integer")
    .addColumn("base_fen", "bigint", (c) => c.notNull())
    .addColumn("employer_fen", "bigint", (c) => c.notNull())
    .addColumn("personal_fen", "bigint", (c) => c.notNull())
    .addColumn("account_share_fen", "bigint", (c) => c.notNull())
    .addColumn("paid_at", "varchar(32)", (c) => c.notNull())
    .addUniqueConstraint("contributions_person_month", ["person_id", "coordination_area", "month"])
    .execute();
  await db.schema
    .createTable("account_credits")
    .addColumn("person_id", "varchar(36)", (c) => c.notNull())
    .addColumn("month", "varchar(7)", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("journal_id", "varchar(36)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("account_credits_pk", ["person_id", "month"])
    .execute();

  await db.schema
    .createTable("settlements")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("institution_id", "varchar(36)", (c) => c.notNull().references("institutions.id"))
    .addColumn("idempotency_key", "varchar(64)", (c) => c.notNull())
    .addColumn("request_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull())
    .addColumn("card_id", "varchar(36)", (c) => c.notNull())
    .addColumn("terminal_no", "varchar(12)", (c) => c.notNull())
    .addColumn("medium", "varchar(8)", (c) => c.notNull())
    .addColumn("catalogue_version", "integer", (c) => c.notNull())
    .addColumn("total_fen", "bigint", (c) => c.notNull())
    .addColumn("covered_fen", "bigint", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("refunded_account_fen", "bigint", (c) => c.notNull())
    .addColumn("refunded_self_fen", "bigint", (c) => c.notNull())
    .addColumn("state", "varchar(16)", (c) => c.notNull())
    .addColumn("journal_id", "varchar(36)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addUniqueConstraint("settlements_idempotency", ["institution_id", "idempotency_key"])
    .execute();
  await db.schema.createIndex("settlements_person").on("settlements").columns(["person_id", "day"]).execute();
  await db.schema
    .createIndex("settlements_day")
    .on("settlements")
    .columns(["institution_id", "day"])
    .execute();
  await db.schema
    .createTable("settlement_items")
    .addColumn("settlement_id", "varchar(36)", (c) => c.notNull().references("settlements.id"))
    .addColumn("line", "integer", (c) => c.notNull())
    .addColumn("code", "varchar(32)", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("class", "varchar(8)", (c) => c.notNull())
    .addColumn("quantity", "integer", (c) => c.notNull())
    .addColumn("unit_price_fen", "bigint", (c) => c.notNull())
    .addColumn("amount_fen", "bigint", (c) => c.notNull())
    .addColumn("covered_fen", "bigint", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("refunded_quantity", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("settlement_items_pk", ["settlement_id", "line"])
    .execute();
  await db.schema
    .createTable("settlement_refunds")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("settlement_id", "varchar(36)", (c) => c.notNull().references("settlements.id"))
    .addColumn("idempotency_key", "varchar(64)", (c) => c.notNull())
    .addColumn("lines", "text", (c) => c.notNull())
    .addColumn("account_fen", "bigint", (c) => c.notNull())
    .addColumn("self_fen", "bigint", (c) => c.notNull())
    .addColumn("journal_id", "varchar(36)", (c) => c.notNull())
    .addColumn("day", "varchar(10)", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addUniqueConstraint("settlement_refunds_idempotency", ["settlement_id", "idempotency_key"])
    .execute();
}
