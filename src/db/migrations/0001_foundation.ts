import { type Kysely, sql } from "kysely";
import type { Dialect } from "../database.ts";

/** Areas, policies, outlets, persons, staff, sessions, API keys and the append-only audit log. */
export async function up(db: Kysely<unknown>, dialect: Dialect): Promise<void> {
  await db.schema
    .createTable("areas")
    .addColumn("code", "varchar(6)", (c) => c.primaryKey())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("level", "varchar(16)", (c) => c.notNull())
    .addColumn("issuer_id", "varchar(32)", (c) => c.unique())
    .addColumn("parent_code", "varchar(6)", (c) => c.references("areas.code"))
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("area_policies")
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("effective_from", "varchar(10)", (c) => c.notNull())
    .addColumn("policy", "text", (c) => c.notNull())
    .addColumn("note", "text")
    .addColumn("created_by", "text", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addPrimaryKeyConstraint("area_policies_pk", ["area_code", "version"])
    .execute();

  await db.schema
    .createTable("outlets")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("kind", "varchar(32)", (c) => c.notNull())
    .addColumn("address", "text")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("persons")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("id_number_index", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("id_number_enc", "text", (c) => c.notNull())
    .addColumn("id_number_masked", "varchar(18)", (c) => c.notNull())
    .addColumn("pii_enc", "text", (c) => c.notNull())
    .addColumn("name_masked", "text", (c) => c.notNull())
    .addColumn("sex", "varchar(1)", (c) => c.notNull())
    .addColumn("birth_date", "varchar(10)", (c) => c.notNull())
    .addColumn("birth_region_code", "varchar(6)", (c) => c.notNull())
    .addColumn("ethnicity", "varchar(2)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("photo_ref", "text")
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(32)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("persons_area_idx").on("persons").column("area_code").execute();

  await db.schema
    .createTable("staff")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("username", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("display_name", "text", (c) => c.notNull())
    .addColumn("password_hash", "text", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("failed_logins", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("locked_until", "varchar(32)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("staff_roles")
    .addColumn("staff_id", "varchar(36)", (c) => c.notNull().references("staff.id"))
    .addColumn("role", "varchar(32)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("outlet_id", "varchar(36)", (c) => c.references("outlets.id"))
    .addPrimaryKeyConstraint("staff_roles_pk", ["staff_id", "role", "area_code"])
    .execute();

  await db.schema
    .createTable("sessions")
    .addColumn("token_hash", "varchar(64)", (c) => c.primaryKey())
    .addColumn("staff_id", "varchar(36)", (c) => c.notNull().references("staff.id"))
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(32)", (c) => c.notNull())
    .addColumn("last_seen_at", "varchar(32)", (c) => c.notNull())
    .addColumn("revoked_at", "varchar(32)")
    .execute();
  await db.schema.createIndex("sessions_staff_idx").on("sessions").column("staff_id").execute();

  await db.schema
    .createTable("api_keys")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("token_hash", "varchar(64)", (c) => c.notNull().unique())
    .addColumn("name", "text", (c) => c.notNull())
    .addColumn("role", "varchar(32)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)", (c) => c.notNull().references("areas.code"))
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("created_by", "varchar(36)", (c) => c.notNull())
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .addColumn("revoked_at", "varchar(32)")
    .execute();

  await db.schema
    .createTable("audit_log")
    .addColumn("seq", "bigint", (c) => c.primaryKey())
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("actor_type", "varchar(16)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(64)", (c) => c.notNull())
    .addColumn("actor_role", "varchar(32)", (c) => c.notNull())
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("action", "varchar(64)", (c) => c.notNull())
    .addColumn("subject_type", "varchar(32)", (c) => c.notNull())
    .addColumn("subject_id", "varchar(64)", (c) => c.notNull())
    .addColumn("area_code", "varchar(6)")
    .addColumn("before", "text")
    .addColumn("after", "text")
    .addColumn("prev_hash", "varchar(64)", (c) => c.notNull())
    .addColumn("hash", "varchar(64)", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("audit_subject_idx")
    .on("audit_log")
    .columns(["subject_type", "subject_id"])
    .execute();

  // The audit log is append-only in the database itself, not only in the code.
  if (dialect === "sqlite") {
    await sql`create trigger audit_log_no_update before update on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log
      begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  } else {
    await sql`create function audit_log_refuse() returns trigger language plpgsql as $$
      begin raise exception 'audit_log is append-only'; end $$`.execute(db);
    await sql`create trigger audit_log_no_update before update or delete on audit_log
      for each row execute function audit_log_refuse()`.execute(db);
    await sql`create trigger audit_log_no_truncate before truncate on audit_log
      for each statement execute function audit_log_refuse()`.execute(db);
  }

  await db.schema
    .createTable("meta")
    .addColumn("key", "varchar(64)", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .execute();

  // The national scope and its default policy: every area inherits it until it has versions of its own.
  const now = new Date().toISOString();
  await sql`insert into areas (code, name, level, issuer_id, parent_code, created_at)
    values ('000000', '全国', 'national', null, null, ${now})`.execute(db);
  const defaults = JSON.stringify({
    initialPassword: { rule: "card_number_last6" },
    lockout: { mode: "consecutive", threshold: 6 },
    queryOnlyUntilPasswordChanged: false,
    cardValidityYears: 10,
    renewalLeadDays: 60,
    replacementReadyWorkingDays: 5,
    preLossAutoCancelDays: null,
    ecardWhileTemporarilyLost: "with_holder_authorisation",
    familyServiceSlots: 8,
    replacementFeeFen: 0,
  });
  await sql`insert into area_policies (area_code, version, effective_from, policy, note, created_by, created_at)
    values ('000000', 1, '2000-01-01', ${defaults}, 'national defaults', 'system', ${now})`.execute(db);
}
