import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

/** SQL for the encryption machine's key store: rows hold key blocks, never clear keys. */
export function createKeysRepository(db: Kysely<Database>) {
  return {
    byLabel: (label: string) =>
      db.selectFrom("hsm_keys").selectAll().where("label", "=", label).executeTakeFirst(),
    /** An area's keys of one usage and algorithm, newest version first. */
    byArea: (area: string, usage: string, algorithm: string) =>
      db
        .selectFrom("hsm_keys")
        .selectAll()
        .where("area_code", "=", area)
        .where("usage", "=", usage)
        .where("algorithm", "=", algorithm)
        .orderBy("key_version", "desc")
        .execute(),
    insert: (row: Database["hsm_keys"]) => db.insertInto("hsm_keys").values(row).execute(),
    /** Marks one version of an area's keys retired; returns how many keys it retired. */
    async retire(area: string, algorithm: string, version: number, at: string) {
      const r = await db
        .updateTable("hsm_keys")
        .set({ retired_at: at })
        .where("area_code", "=", area)
        .where("algorithm", "=", algorithm)
        .where("key_version", "=", version)
        .where("retired_at", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },
    list: () => db.selectFrom("hsm_keys").selectAll().orderBy("label").execute(),
  };
}
export type KeysRepository = ReturnType<typeof createKeysRepository>;
