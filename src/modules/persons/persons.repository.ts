import type { Kysely, Transaction } from "kysely";
import type { Database, NewPerson, PersonRow } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for the person registry; personal fields arrive here already encrypted. */
export function createPersonsRepository() {
  return {
    byIndex: (q: Q, idNumberIndex: string): Promise<PersonRow | undefined> =>
      q.selectFrom("persons").selectAll().where("id_number_index", "=", idNumberIndex).executeTakeFirst(),

    byId: (q: Q, id: string): Promise<PersonRow | undefined> =>
      q.selectFrom("persons").selectAll().where("id", "=", id).executeTakeFirst(),

    insert: (trx: Transaction<Database>, row: NewPerson) => trx.insertInto("persons").values(row).execute(),

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
