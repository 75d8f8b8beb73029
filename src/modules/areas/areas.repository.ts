import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for card-issuing areas, their policy versions and their outlets. */
export function createAreasRepository(dialect: Dialect) {
  return {
    /** Holds the area row until the transaction ends (SQLite's write transaction already holds the database). */
    async lock(trx: Transaction<Database>, code: string): Promise<boolean> {
      let q = trx.selectFrom("areas").select("code").where("code", "=", code);
      if (dialect === "postgres") q = q.forUpdate();
      return (await q.executeTakeFirst()) !== undefined;
    },

    get: (q: Q, code: string) =>
      q.selectFrom("areas").selectAll().where("code", "=", code).executeTakeFirst(),

    list: (q: Q) => q.selectFrom("areas").selectAll().orderBy("code").execute(),

    async issuerIdTaken(q: Q, issuerId: string): Promise<boolean> {
      const row = await q
        .selectFrom("areas")
        .select("code")
        .where("issuer_id", "=", issuerId)
        .executeTakeFirst();
      return row !== undefined;
    },

    insert: (trx: Transaction<Database>, row: Database["areas"]) =>
      trx.insertInto("areas").values(row).execute(),

    /** Policy versions of the given areas, oldest first. */
    policies: (q: Q, areaCodes: readonly string[]) =>
      q
        .selectFrom("area_policies")
        .selectAll()
        .where("area_code", "in", areaCodes)
        .orderBy("area_code")
        .orderBy("version")
        .execute(),

    async lastPolicyVersion(trx: Transaction<Database>, areaCode: string): Promise<number> {
      const row = await trx
        .selectFrom("area_policies")
        .select((eb) => eb.fn.max("version").as("v"))
        .where("area_code", "=", areaCode)
        .executeTakeFirst();
      return Number(row?.v ?? 0);
    },

    insertPolicy: (trx: Transaction<Database>, row: Database["area_policies"]) =>
      trx.insertInto("area_policies").values(row).execute(),

    outlets: (q: Q, areaCode: string) =>
      q.selectFrom("outlets").selectAll().where("area_code", "=", areaCode).orderBy("name").execute(),

    outlet: (q: Q, id: string) => q.selectFrom("outlets").selectAll().where("id", "=", id).executeTakeFirst(),

    insertOutlet: (trx: Transaction<Database>, row: Database["outlets"]) =>
      trx.insertInto("outlets").values(row).execute(),
  };
}

export type AreasRepository = ReturnType<typeof createAreasRepository>;
