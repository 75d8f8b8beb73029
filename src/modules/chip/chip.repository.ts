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
  };
}

export type ChipRepository = ReturnType<typeof createChipRepository>;
