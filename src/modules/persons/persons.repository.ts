import type { Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { preparedFirst, preparedInsert, preparedLock } from "../../db/prepared.ts";
import type { Database, PersonRow } from "../../db/schema.ts";

/** SQL for the person registry; personal fields arrive here already encrypted. */
export function createPersonsRepository(dialect: Dialect) {
  const lock = preparedLock(dialect, (q, id: string) =>
    q.selectFrom("persons").select("id").where("id", "=", id),
  );
  return {
    /**
     * Holds the person's row until the transaction ends, so changes about one person (card
     * applications, enrolments) take turns (PostgreSQL; SQLite's write transaction already does).
     */
    async lock(trx: Transaction<Database>, personId: string): Promise<void> {
      await lock(trx, personId);
    },

    byIndex: preparedFirst((q, idNumberIndex: string) =>
      q.selectFrom("persons").selectAll().where("id_number_index", "=", idNumberIndex),
    ),

    byId: preparedFirst((q, id: string) => q.selectFrom("persons").selectAll().where("id", "=", id)),

    insert: preparedInsert("persons", [
      "id",
      "id_number_index",
      "id_number_enc",
      "id_number_masked",
      "pii_enc",
      "name_masked",
      "sex",
      "birth_date",
      "birth_region_code",
      "ethnicity",
      "area_code",
      "photo_ref",
      "version",
      "created_at",
      "updated_at",
    ]),

    /** Compare-and-set on the version: returns false when someone changed the row first. */
    async update(
      trx: Transaction<Database>,
      id: string,
      expectedVersion: number,
      changes: Partial<Pick<PersonRow, "pii_enc" | "name_masked" | "ethnicity" | "photo_ref" | "updated_at">>,
    ): Promise<boolean> {
      const result = await trx
        .updateTable("persons")
        .set({ ...changes, version: expectedVersion + 1 })
        .where("id", "=", id)
        .where("version", "=", expectedVersion)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) === 1;
    },
  };
}

export type PersonsRepository = ReturnType<typeof createPersonsRepository>;
