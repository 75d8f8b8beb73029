import type { Kysely, Transaction } from "kysely";
import type { Dialect } from "../../db/database.ts";
import { preparedFirst, preparedLock, preparedQuery } from "../../db/prepared.ts";
import type { Database } from "../../db/schema.ts";

type Q = Kysely<Database> | Transaction<Database>;

/** SQL for staff accounts, their role grants, sessions and API keys. */
export function createStaffRepository(dialect: Dialect) {
  const lockAccount = preparedLock(dialect, (q, id: string) =>
    q.selectFrom("staff").selectAll().where("id", "=", id),
  );
  return {
    /**
     * An account with its row held until the transaction ends, so that changes to it (its grants, its
     * password, its state) take turns (PostgreSQL; SQLite's write transaction already does).
     */
    lockAccount: (trx: Transaction<Database>, id: string) => lockAccount(trx, id),
    byUsername: (q: Q, username: string) =>
      q.selectFrom("staff").selectAll().where("username", "=", username).executeTakeFirst(),

    byId: (q: Q, id: string) => q.selectFrom("staff").selectAll().where("id", "=", id).executeTakeFirst(),

    insert: (trx: Transaction<Database>, row: Database["staff"]) =>
      trx.insertInto("staff").values(row).execute(),

    insertGrant: (trx: Transaction<Database>, row: Database["staff_roles"]) =>
      trx.insertInto("staff_roles").values(row).execute(),

    grants: (q: Q, staffIds: readonly string[]) =>
      q.selectFrom("staff_roles").selectAll().where("staff_id", "in", staffIds).execute(),

    /** Staff holding any grant in an area whose code starts with one of the prefixes (all when none given). */
    async list(q: Q, areaPrefixes?: readonly string[]) {
      let query = q.selectFrom("staff").selectAll().orderBy("username");
      if (areaPrefixes) {
        query = query.where((eb) =>
          eb.exists(
            eb
              .selectFrom("staff_roles")
              .select("staff_roles.staff_id")
              .whereRef("staff_roles.staff_id", "=", "staff.id")
              .where((e) => e.or(areaPrefixes.map((p) => e("staff_roles.area_code", "like", `${p}%`)))),
          ),
        );
      }
      return query.execute();
    },

    setLoginState: (trx: Transaction<Database>, id: string, failures: number, lockedUntil: string | null) =>
      trx
        .updateTable("staff")
        .set({ failed_logins: failures, locked_until: lockedUntil })
        .where("id", "=", id)
        .execute(),

    setPassword: (trx: Transaction<Database>, id: string, hash: string) =>
      trx
        .updateTable("staff")
        .set({ password_hash: hash, failed_logins: 0, locked_until: null })
        .where("id", "=", id)
        .execute(),

    /** Removes every grant of an account (before writing its new set). */
    deleteGrants: (trx: Transaction<Database>, staffId: string) =>
      trx.deleteFrom("staff_roles").where("staff_id", "=", staffId).execute(),

    setStatus: (trx: Transaction<Database>, id: string, status: "active" | "disabled") =>
      trx.updateTable("staff").set({ status }).where("id", "=", id).execute(),

    insertSession: (trx: Transaction<Database>, row: Database["sessions"]) =>
      trx.insertInto("sessions").values(row).execute(),

    /** The session with its staff member, in one read (prepared: every request takes this path). */
    sessionWithStaff: preparedFirst((q, tokenHash: string) =>
      q
        .selectFrom("sessions")
        .innerJoin("staff", "staff.id", "sessions.staff_id")
        .select([
          "sessions.token_hash",
          "sessions.staff_id",
          "sessions.channel",
          "sessions.expires_at",
          "sessions.last_seen_at",
          "sessions.revoked_at",
          "staff.username",
          "staff.display_name",
          "staff.status",
        ])
        .where("sessions.token_hash", "=", tokenHash),
    ),

    /** One staff member's grants (prepared: every request takes this path). */
    grantsOf: preparedQuery((q, staffId: string) =>
      q.selectFrom("staff_roles").selectAll().where("staff_id", "=", staffId),
    ),

    touchSession: (q: Q, tokenHash: string, at: string) =>
      q.updateTable("sessions").set({ last_seen_at: at }).where("token_hash", "=", tokenHash).execute(),

    revokeSession: (trx: Transaction<Database>, tokenHash: string, at: string) =>
      trx.updateTable("sessions").set({ revoked_at: at }).where("token_hash", "=", tokenHash).execute(),

    revokeSessionsOf: (trx: Transaction<Database>, staffId: string, at: string) =>
      trx
        .updateTable("sessions")
        .set({ revoked_at: at })
        .where("staff_id", "=", staffId)
        .where("revoked_at", "is", null)
        .execute(),

    insertApiKey: (trx: Transaction<Database>, row: Database["api_keys"]) =>
      trx.insertInto("api_keys").values(row).execute(),

    apiKeyByHash: preparedFirst((q, tokenHash: string) =>
      q.selectFrom("api_keys").selectAll().where("token_hash", "=", tokenHash),
    ),

    apiKey: (q: Q, id: string) =>
      q.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst(),

    async apiKeys(q: Q, areaPrefixes?: readonly string[]) {
      let query = q.selectFrom("api_keys").selectAll().orderBy("created_at", "desc");
      if (areaPrefixes)
        query = query.where((e) => e.or(areaPrefixes.map((p) => e("area_code", "like", `${p}%`))));
      return query.execute();
    },

    revokeApiKey: (trx: Transaction<Database>, id: string, at: string) =>
      trx
        .updateTable("api_keys")
        .set({ revoked_at: at })
        .where("id", "=", id)
        .where("revoked_at", "is", null)
        .execute(),
  };
}

export type StaffRepository = ReturnType<typeof createStaffRepository>;
