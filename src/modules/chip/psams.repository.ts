import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Row = Database["psams"];

/** SQL for the PSAMs and their hand-overs. */
export function createPsamsRepository() {
  return {
    insert: (trx: Transaction<Database>, row: Row) => trx.insertInto("psams").values(row).execute(),
    bySerial: (q: Q, serial: string) =>
      q.selectFrom("psams").selectAll().where("serial", "=", serial).executeTakeFirst(),
    /** The PSAMs of the areas under these prefixes (all when undefined) and the ministry's own stock. */
    list: (q: Q, prefixes: readonly string[] | undefined) => {
      let s = q.selectFrom("psams").selectAll().orderBy("serial").limit(2000);
      if (prefixes)
        s = s.where((eb) =>
          eb.or(prefixes.map((p) => eb("area_code", "like", `${p.replace(/[%_\\]/g, "")}%`))),
        );
      return s.execute();
    },
    /** The first PSAM an area holds in stock (distributed, not installed). */
    inStock: (q: Q, areaCode: string) =>
      q
        .selectFrom("psams")
        .selectAll()
        .where("state", "=", "at_area")
        .where("area_code", "=", areaCode)
        .orderBy("serial")
        .executeTakeFirst(),
    /** Moves a PSAM on if nobody moved it since `version`; false when someone did. */
    async move(trx: Transaction<Database>, serial: string, version: number, next: Partial<Row>) {
      const r = await trx
        .updateTable("psams")
        .set({ ...next, version: version + 1 })
        .where("serial", "=", serial)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    addMovement: (trx: Transaction<Database>, row: Database["psam_movements"]) =>
      trx.insertInto("psam_movements").values(row).execute(),
    movements: (q: Q, serial: string) =>
      q.selectFrom("psam_movements").selectAll().where("serial", "=", serial).orderBy("version").execute(),
  };
}

export type PsamsRepository = ReturnType<typeof createPsamsRepository>;
