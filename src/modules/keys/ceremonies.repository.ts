import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Row = Database["key_ceremonies"];

/** SQL for the key ceremonies and their custodians' sealed components. */
export function createCeremoniesRepository() {
  return {
    insert: (trx: Transaction<Database>, row: Row) => trx.insertInto("key_ceremonies").values(row).execute(),
    byId: (q: Q, id: string) =>
      q.selectFrom("key_ceremonies").selectAll().where("id", "=", id).executeTakeFirst(),
    /** The newest ceremonies of the areas under these prefixes (all, national ones too, when undefined). */
    list: (q: Q, prefixes: readonly string[] | undefined) => {
      let s = q
        .selectFrom("key_ceremonies")
        .selectAll()
        .orderBy("opened_at", "desc")
        .orderBy("id")
        .limit(200);
      if (prefixes)
        s = s.where((eb) =>
          eb.or(prefixes.map((p) => eb("area_code", "like", `${p.replace(/[%_\\]/g, "")}%`))),
        );
      return s.execute();
    },
    /**
     * Holds an open ceremony for this transaction (its version moved on, so a custodian entering at the
     * same moment waits, then counts this one's component): the row, or undefined when it is not open.
     */
    hold: (trx: Transaction<Database>, id: string) =>
      trx
        .updateTable("key_ceremonies")
        .set((eb) => ({ version: eb("version", "+", 1) }))
        .where("id", "=", id)
        .where("state", "=", "open")
        .returningAll()
        .executeTakeFirst(),
    close: (trx: Transaction<Database>, id: string, next: Partial<Row>) =>
      trx
        .updateTable("key_ceremonies")
        .set({ ...next, open_label: null })
        .where("id", "=", id)
        .execute(),
    addComponent: (trx: Transaction<Database>, row: Database["key_ceremony_components"]) =>
      trx.insertInto("key_ceremony_components").values(row).execute(),
    components: (q: Q, ids: readonly string[]) =>
      ids.length
        ? q
            .selectFrom("key_ceremony_components")
            .selectAll()
            .where("ceremony_id", "in", ids)
            .orderBy("entered_at")
            .orderBy("custodian_name")
            .execute()
        : Promise.resolve([]),
    /** Forgets a closed ceremony's sealed components (their check values and custodians stay on record). */
    clearBlocks: (trx: Transaction<Database>, id: string) =>
      trx.updateTable("key_ceremony_components").set({ block: null }).where("ceremony_id", "=", id).execute(),
  };
}

export type CeremoniesRepository = ReturnType<typeof createCeremoniesRepository>;
