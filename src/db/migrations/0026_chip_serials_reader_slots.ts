import type { Kysely } from "kysely";

/**
 * A card bound to its chip by the factory's return file (the chip serial, one card per chip), and the
 * reader slots of sscard's own terminals kept in the database, so any worker or server serves a slot.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable("cards").addColumn("chip_serial", "varchar(16)").execute();
  await db.schema.createIndex("cards_chip_serial").unique().on("cards").column("chip_serial").execute();
  await db.schema
    .createTable("reader_slots")
    .addColumn("id", "varchar(36)", (c) => c.primaryKey())
    .addColumn("owner", "varchar(128)", (c) => c.notNull())
    .addColumn("terminal_no", "varchar(12)", (c) => c.notNull())
    // The card in the slot (its image and the chip's session), sealed with the data key: it holds the chip's keys.
    .addColumn("card_sealed", "text", (c) => c.notNull())
    .addColumn("card_id_code", "varchar(32)")
    .addColumn("pin_verified", "integer", (c) => c.notNull())
    .addColumn("txn", "integer", (c) => c.notNull())
    .addColumn("touched_at", "varchar(32)", (c) => c.notNull())
    // A request working on the slot holds it until then (a second one at once is refused; a crash frees it).
    .addColumn("busy_until", "varchar(32)")
    .execute();
  await db.schema.createIndex("reader_slots_touched").on("reader_slots").column("touched_at").execute();
}
