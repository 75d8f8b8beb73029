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
    /**
     * Holds a call for one event until `until`: only if nobody wrote it since `version` and no other event
     * holds it (a hold whose time passed, left by a crashed worker, is free again). False when refused.
     */
    async hold(q: Kysely<Database>, callId: string, version: number, now: string, until: string) {
      const r = await q
        .updateTable("ivr_calls")
        .set({ held_until: until, updated_at: now, version: version + 1 })
        .where("call_id", "=", callId)
        .where("version", "=", version)
        .where((w) => w.or([w("held_until", "is", null), w("held_until", "<=", now)]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
  };
}

export type PhoneRepository = ReturnType<typeof createPhoneRepository>;
