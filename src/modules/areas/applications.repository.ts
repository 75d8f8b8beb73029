import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;
type Row = Database["area_applications"];

/** SQL for the areas' applications to issue cards, their materials and steps. */
export function createApplicationsRepository() {
  return {
    insert: (trx: Transaction<Database>, row: Row) =>
      trx.insertInto("area_applications").values(row).execute(),
    byId: (q: Q, id: string) =>
      q.selectFrom("area_applications").selectAll().where("id", "=", id).executeTakeFirst(),
    all: (q: Q) =>
      q.selectFrom("area_applications").selectAll().orderBy("updated_at", "desc").limit(500).execute(),
    /** Writes the application's next state if nobody wrote it since `version`; false when someone did. */
    async update(trx: Transaction<Database>, id: string, version: number, next: Partial<Row>) {
      const r = await trx
        .updateTable("area_applications")
        .set({ ...next, version: version + 1 })
        .where("id", "=", id)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    /** The material's metadata (not its content). */
    materials: (q: Q, id: string) =>
      q
        .selectFrom("area_application_materials")
        .select(["kind", "file_name", "content_type", "size_bytes", "sha256", "uploaded_by", "uploaded_at"])
        .where("application_id", "=", id)
        .execute(),
    material: (q: Q, id: string, kind: string) =>
      q
        .selectFrom("area_application_materials")
        .selectAll()
        .where("application_id", "=", id)
        .where("kind", "=", kind)
        .executeTakeFirst(),
    async putMaterial(trx: Transaction<Database>, row: Database["area_application_materials"]) {
      await trx
        .deleteFrom("area_application_materials")
        .where("application_id", "=", row.application_id)
        .where("kind", "=", row.kind)
        .execute();
      await trx.insertInto("area_application_materials").values(row).execute();
    },
    steps: (q: Q, id: string) =>
      q
        .selectFrom("area_application_steps")
        .selectAll()
        .where("application_id", "=", id)
        .orderBy("version")
        .execute(),
    addStep: (trx: Transaction<Database>, row: Database["area_application_steps"]) =>
      trx.insertInto("area_application_steps").values(row).execute(),
    issuerIdsLike: (q: Q, areaCode: string) =>
      q.selectFrom("areas").select("issuer_id").where("issuer_id", "like", `${areaCode}%`).execute(),
    /** Gives the area its issuer identification number, if it has none yet; false when it had one. */
    async setIssuer(trx: Transaction<Database>, areaCode: string, issuerId: string) {
      const r = await trx
        .updateTable("areas")
        .set({ issuer_id: issuerId })
        .where("code", "=", areaCode)
        .where("issuer_id", "is", null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type ApplicationsRepository = ReturnType<typeof createApplicationsRepository>;
