import type { Kysely } from "kysely";

/** Social security passwords (verification values only), every attempt, and the malicious-lockout throttle. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("card_passwords")
    .addColumn("card_id", "varchar(36)", (c) => c.primaryKey().references("cards.id"))
    .addColumn("pvv", "varchar(64)", (c) => c.notNull())
    .addColumn("is_initial", "integer", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addColumn("failure_day", "varchar(10)")
    .addColumn("locked_at", "varchar(32)")
    .addColumn("changed_at", "varchar(32)")
    .addColumn("created_at", "varchar(32)", (c) => c.notNull())
    .execute();

  await db.schema
    .createTable("pin_attempts")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("card_id", "varchar(36)", (c) => c.notNull().references("cards.id"))
    .addColumn("at", "varchar(32)", (c) => c.notNull())
    .addColumn("channel", "varchar(16)", (c) => c.notNull())
    .addColumn("actor_type", "varchar(16)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(64)", (c) => c.notNull())
    .addColumn("source", "varchar(64)", (c) => c.notNull())
    .addColumn("purpose", "varchar(16)", (c) => c.notNull())
    .addColumn("result", "varchar(24)", (c) => c.notNull())
    .addColumn("failures_after", "integer", (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex("pin_attempts_card_idx")
    .on("pin_attempts")
    .columns(["card_id", "at"])
    .execute();

  await db.schema
    .createTable("pin_throttle")
    .addColumn("key", "varchar(128)", (c) => c.notNull())
    .addColumn("window_start", "varchar(32)", (c) => c.notNull())
    .addColumn("failures", "integer", (c) => c.notNull())
    .addPrimaryKeyConstraint("pin_throttle_pk", ["key", "window_start"])
    .execute();
}
