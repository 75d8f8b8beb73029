import type { Kysely } from "kysely";

/** Cards with their lifecycle history, production batches, bank tasks and the working-day calendar. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("outlets").addColumn("bank_code", "varchar(16)").execute();

  await db.schema
    .createTable("production_batches")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("card_count", "integer", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("created_by", "varchar(64)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("returned_at", "varchar(32)")
    .execute();

  await db.schema
    .createTable("cards")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("card_number", "varchar(9)", (c) => c.notNull().unique())
    .addColumn("card_id_code", "varchar(32)", (c) => c.notNull().unique())
    .addColumn("spec_version", "varchar(4)", (c) => c.notNull())
    .addColumn("card_type", "varchar(16)", (c) => c.notNull())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("state", "varchar(20)", (c) => c.notNull())
    .addColumn("state_before_loss", "varchar(20)")
    .addColumn("ss_function", "varchar(16)", (c) => c.notNull())
    .addColumn("financial_function", "varchar(16)", (c) => c.notNull())
    .addColumn("bank_code", "varchar(16)")
    .addColumn("photo_ref", "text")
    .addColumn("application_kind", "varchar(16)", (c) => c.notNull())
    .addColumn("application_channel", "varchar(16)", (c) => c.notNull())
    .addColumn("replaces_card_id", "varchar(36)", (c) => c.references("cards.id"))
    .addColumn("replacement_reason", "varchar(32)")
    .addColumn("employer_code", "varchar(18)")
    .addColumn("employer_name", "text")
    .addColumn("batch_id", "varchar(36)", (c) => c.references("production_batches.id"))
    .addColumn("issue_date", "varchar(10)")
    .addColumn("valid_until", "varchar(10)")
    .addColumn("issued_to", "varchar(16)")
    .addColumn("employer_letter_ref", "text")
    .addColumn("temp_certificate_no", "varchar(32)")
    .addColumn("ready_date", "varchar(10)")
    .addColumn("fee_fen", "integer")
    .addColumn("temporarily_lost_at", "varchar(32)")
    .addColumn("cancel_reason", "varchar(32)")
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("cards_person_idx").on("cards").column("person_id").execute();
  await db.schema.createIndex("cards_area_state_idx").on("cards").columns(["area_code", "state"]).execute();
  await db.schema.createIndex("cards_batch_idx").on("cards").column("batch_id").execute();

  await db.schema
    .createTable("card_events")
    .addColumn("card_id", "varchar(36)", (c) => c.notNull().references("cards.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("action", "varchar(32)", (c) => c.notNull())
    .addColumn("from_state", "varchar(20)")
    .addColumn("to_state", "varchar(20)", (c) => c.notNull())
    .addColumn("actor_type", "varchar(16)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(64)", (c) => c.notNull())
    .addColumn("actor_role", "varchar(32)", (c) => c.notNull())
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("details", "text")
    .addPrimaryKeyConstraint("card_events_pk", ["card_id", "seq"])
    .execute();

  await db.schema
    .createTable("bank_tasks")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("card_id", "varchar(36)", (c) => c.notNull().references("cards.id"))
    .addColumn("bank_code", "varchar(16)", (c) => c.notNull())
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("reason", "varchar(32)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("done_at", "varchar(32)")
    .addColumn("done_by", "varchar(64)")
    .execute();
  await db.schema
    .createIndex("bank_tasks_open_idx")
    .on("bank_tasks")
    .columns(["bank_code", "status"])
    .execute();

  await db.schema
    .createTable("calendar_days")
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("date", "varchar(10)", (c) => c.notNull())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("name", "text", (c) => c.notNull())
    .addPrimaryKeyConstraint("calendar_days_pk", ["area_code", "date"])
    .execute();
}
