import type { Kysely, Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for the online service hall's holder sessions (tokens are stored only as keyed hashes). */
export function createHolderRepository() {
  return {
    async insertSession(q: Q, row: Database["holder_sessions"]) {
      await q.insertInto("holder_sessions").values(row).execute();
    },

    sessionByHash(q: Q, tokenHash: string) {
      return q
        .selectFrom("holder_sessions")
        .selectAll()
        .where("token_hash", "=", tokenHash)
        .executeTakeFirst();
    },

    async touchSession(q: Q, tokenHash: string, at: string) {
      await q
        .updateTable("holder_sessions")
        .set({ last_seen_at: at })
        .where("token_hash", "=", tokenHash)
        .execute();
    },

    async revokeSession(q: Q, tokenHash: string, at: string) {
      await q
        .updateTable("holder_sessions")
        .set({ revoked_at: at })
        .where("token_hash", "=", tokenHash)
        .execute();
    },
  };
}

export type HolderRepository = ReturnType<typeof createHolderRepository>;
