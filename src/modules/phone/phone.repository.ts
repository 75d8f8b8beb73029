import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";

type Row = Database["ivr_calls"];

/** SQL for the calls of the phone lines. */
export function createPhoneRepository() {
  return {
    insert: (q: Kysely<Database>, row: Row) => q.insertInto("ivr_calls").values(row).execute(),
    call: (q: Kysely<Database>, callId: string) =>
      q.selectFrom("ivr_calls").selectAll().where("call_id", "=", callId).executeTakeFirst(),
    /** Writes a call's next state if nobody wrote it since `version`; false when someone did. */
    async update(q: Kysely<Database>, callId: string, version: number, next: Partial<Row>) {
      const r = await q
        .updateTable("ivr_calls")
        .set({ ...next, version: version + 1 })
        .where("call_id", "=", callId)
        .where("version", "=", version)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type PhoneRepository = ReturnType<typeof createPhoneRepository>;
