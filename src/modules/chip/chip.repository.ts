import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

/** SQL for the chip side: holder certificates, remote authentications, terminals. */
export function createChipRepository() {
  return {
    /** Records a card's holder certificate. */
    insertCertificate: (trx: Transaction<Database>, certificate: Database["card_certificates"]) =>
      trx.insertInto("card_certificates").values(certificate).execute(),

    /** A card's newest holder certificate. */
    certificate: (db: Kysely<Database>, cardIdCode: string) =>
      db
        .selectFrom("card_certificates")
        .selectAll()
        .where("card_id_code", "=", cardIdCode)
        .orderBy("created_at", "desc")
        .executeTakeFirst(),

    insertRemoteAuth: (db: Kysely<Database>, row: Database["remote_authentications"]) =>
      db.insertInto("remote_authentications").values(row).execute(),

    remoteAuth: (db: Kysely<Database>, id: string) =>
      db.selectFrom("remote_authentications").selectAll().where("id", "=", id).executeTakeFirst(),

    /** Marks a remote authentication completed; false when it already was (a replay or a race). */
    async completeRemoteAuth(db: Kysely<Database>, id: string, at: string): Promise<boolean> {
      const r = await db
        .updateTable("remote_authentications")
        .set({ completed_at: at })
        .where("id", "=", id)
        .where("completed_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    terminal: (db: Kysely<Database> | Transaction<Database>, terminalNo: string) =>
      db.selectFrom("terminals").selectAll().where("terminal_no", "=", terminalNo).executeTakeFirst(),

    /** The terminals of the areas under these prefixes (every area when undefined), by number. */
    terminalsIn: (db: Kysely<Database>, prefixes: readonly string[] | undefined) => {
      let q = db.selectFrom("terminals").selectAll().orderBy("terminal_no").limit(1000);
      if (prefixes)
        q = q.where((eb) =>
          eb.or(prefixes.map((p) => eb("area_code", "like", `${p.replace(/[%_\\]/g, "")}%`))),
        );
      return q.execute();
    },

    insertTerminal: (db: Kysely<Database> | Transaction<Database>, row: Database["terminals"]) =>
      db.insertInto("terminals").values(row).execute(),

    setPsam: (db: Kysely<Database> | Transaction<Database>, terminalNo: string, serial: string, at: string) =>
      db
        .updateTable("terminals")
        .set({ psam_serial: serial, psam_issued_at: at })
        .where("terminal_no", "=", terminalNo)
        .execute(),

    /** Attaches a terminal to the designated institution it settles for (the medical module's). */
    setTerminalInstitution: (trx: Transaction<Database>, terminalNo: string, institutionId: string) =>
      trx
        .updateTable("terminals")
        .set({ institution_id: institutionId })
        .where("terminal_no", "=", terminalNo)
        .execute(),

    insertReaderSlot: (db: Kysely<Database>, row: Database["reader_slots"]) =>
      db.insertInto("reader_slots").values(row).execute(),

    readerSlot: (db: Kysely<Database>, id: string) =>
      db.selectFrom("reader_slots").selectAll().where("id", "=", id).executeTakeFirst(),

    /**
     * Holds the owner's slot until `until` when it is live (touched since `liveSince`) and no other
     * request holds it; answers the row, or undefined when it is busy, idle, another's or gone.
     */
    holdReaderSlot: (
      db: Kysely<Database>,
      q: { id: string; owner: string; liveSince: string; now: string; until: string },
    ) =>
      db
        .updateTable("reader_slots")
        .set({ busy_until: q.until })
        .where("id", "=", q.id)
        .where("owner", "=", q.owner)
        .where("touched_at", ">=", q.liveSince)
        .where((eb) => eb.or([eb("busy_until", "is", null), eb("busy_until", "<", q.now)]))
        .returningAll()
        .executeTakeFirst(),

    /**
     * Writes back what a request changed and lets the slot go, if this request still holds it (its
     * hold, `heldUntil`, did not lapse and pass to another).
     */
    releaseReaderSlot: (
      db: Kysely<Database>,
      id: string,
      heldUntil: string,
      row: Omit<Database["reader_slots"], "id" | "owner" | "terminal_no">,
    ) =>
      db
        .updateTable("reader_slots")
        .set(row)
        .where("id", "=", id)
        .where("busy_until", "=", heldUntil)
        .execute(),

    async deleteReaderSlot(db: Kysely<Database>, id: string, owner: string): Promise<boolean> {
      const r = await db
        .deleteFrom("reader_slots")
        .where("id", "=", id)
        .where("owner", "=", owner)
        .executeTakeFirst();
      return Number(r.numDeletedRows) === 1;
    },

    pruneReaderSlots: (db: Kysely<Database>, idleBefore: string) =>
      db.deleteFrom("reader_slots").where("touched_at", "<", idleBefore).execute(),

    async readerSlotCount(db: Kysely<Database>): Promise<number> {
      const r = await db
        .selectFrom("reader_slots")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type ChipRepository = ReturnType<typeof createChipRepository>;
