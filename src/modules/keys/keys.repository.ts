import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** SQL for the encryption machine's key store: rows hold key blocks, never clear keys. */
export function createKeysRepository(db: Kysely<Database>) {
  return {
    byLabel: (label: string) =>
      db.selectFrom("hsm_keys").selectAll().where("label", "=", label).executeTakeFirst(),
    insert: (row: Database["hsm_keys"]) => db.insertInto("hsm_keys").values(row).execute(),
    list: () => db.selectFrom("hsm_keys").selectAll().orderBy("label").execute(),
  };
}
