import type { Kysely } from "kysely";

/**
 * Employers, insurance enrolments with personal numbers (and their merge aliases), employments and
 * their registration, arrears suspensions, and the online checks made at card reading.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("employers")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("credit_code", "varchar(18)", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("contact_enc", "text", (c) => c.notNull())
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("employers_area").on("employers").column("area_code").execute();
  await db.schema.alterTable("staff_roles").addColumn("employer_id", "varchar(36)").execute();
  await db.schema.alterTable("api_keys").addColumn("employer_id", "varchar(36)").execute();

  await db.schema
    .createTable("personal_numbers")
    .addColumn("number", "varchar(20)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("coordination_area", "varchar(6)", (c) => c.notNull())
    .addColumn("kind", "varchar(16)", (c) => c.notNull())
    .addColumn("merged_into", "varchar(20)")
    .addColumn("merged_at", "varchar(32)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("personal_numbers_person")
    .on("personal_numbers")
    .columns(["person_id", "coordination_area"])
    .execute();

  await db.schema
    .createTable("enrolments")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("personal_number", "varchar(20)", (c) => c.notNull().references("personal_numbers.number"))
    .addColumn("scheme", "varchar(32)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull())
    .addColumn("coordination_area", "varchar(6)", (c) => c.notNull())
    .addColumn("employer_id", "varchar(36)", (c) => c.references("employers.id"))
    .addColumn("start_date", "varchar(10)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("status_reason", "text")
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("enrolments_person")
    .on("enrolments")
    .columns(["person_id", "coordination_area"])
    .execute();
  await db.schema.createIndex("enrolments_number").on("enrolments").column("personal_number").execute();

  await db.schema
    .createTable("enrolment_events")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("enrolment_id", "varchar(36)", (c) => c.notNull().references("enrolments.id"))
    .addColumn("seq", "integer", (c) => c.notNull())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("action", "varchar(32)", (c) => c.notNull())
    .addColumn("from_status", "varchar(16)")
    .addColumn("to_status", "varchar(16)", (c) => c.notNull())
    .addColumn("reason", "text")
    .addColumn("actor_id", "varchar(64)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("enrolment_events_enrolment")
    .on("enrolment_events")
    .column("enrolment_id")
    .execute();

  await db.schema
    .createTable("employments")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("employer_id", "varchar(36)", (c) => c.notNull().references("employers.id"))
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("hired_on", "varchar(10)", (c) => c.notNull())
    .addColumn("registered_on", "varchar(10)")
    .addColumn("late", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("employments_employer").on("employments").column("employer_id").execute();

  await db.schema
    .createTable("arrears")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("person_id", "varchar(36)", (c) => c.notNull().references("persons.id"))
    .addColumn("coordination_area", "varchar(6)", (c) => c.notNull())
    .addColumn("from_date", "varchar(10)", (c) => c.notNull())
    .addColumn("to_date", "varchar(10)")
    .addColumn("reason", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("arrears_person")
    .on("arrears")
    .columns(["person_id", "coordination_area"])
    .execute();

  await db.schema
    .createTable("card_checks")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("card_number", "varchar(16)", (c) => c.notNull())
    .addColumn("card_id", "varchar(36)")
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(64)", (c) => c.notNull())
    .addColumn("actor_name", "text", (c) => c.notNull())
    .addColumn("actor_role", "varchar(32)", (c) => c.notNull())
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("result", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("card_checks_card").on("card_checks").columns(["card_id", "at"]).execute();
}
