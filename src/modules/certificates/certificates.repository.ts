import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { preparedLock } from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";
import type { CertificateKind, CertificateStatus } from "./certificates.rules.ts";

type Q = Kysely<Database>;
type Trx = Transaction<Database>;
type Row = Database["certificates"];

/** SQL for the register of certificates. */
export function createCertificatesRepository(dialect: Dialect) {
  const lockBySerial = preparedLock(dialect, (q, serial: string) =>
    q.selectFrom("certificates").selectAll().where("serial", "=", serial),
  );
  return {
    insert: (trx: Trx, row: Row) => trx.insertInto("certificates").values(row).execute(),
    bySerial: (q: Q, serial: string) =>
      q.selectFrom("certificates").selectAll().where("serial", "=", serial).executeTakeFirst(),
    /** Certificates by serial, read inside a transaction that holds their cards (a settlement batch). */
    bySerials: (q: Q, serials: readonly string[]) =>
      serials.length === 0
        ? Promise.resolve([])
        : q.selectFrom("certificates").selectAll().where("serial", "in", serials).execute(),
    /** The certificate held until the transaction ends (its status is checked and changed there). */
    lockBySerial: (trx: Trx, serial: string): Promise<Row | undefined> => lockBySerial(trx, serial),
    /** The valid certificates of a kind about a card. */
    validOfCard: (q: Q, cardId: string, kind: CertificateKind) =>
      q
        .selectFrom("certificates")
        .selectAll()
        .where("card_id", "=", cardId)
        .where("kind", "=", kind)
        .where("status", "=", "valid")
        .execute(),
    setStatus: (trx: Trx, id: string, status: CertificateStatus, reason: string, at: string) =>
      trx
        .updateTable("certificates")
        .set({ status, status_reason: reason, status_at: at })
        .where("id", "=", id)
        .execute(),
  };
}

export type CertificatesRepository = ReturnType<typeof createCertificatesRepository>;
