import { hash as argon2Hash } from "@node-rs/argon2";
import type { Transaction } from "kysely";
import type { Database } from "../../db/schema.ts";
import {
  type Actor,
  authorize,
  canGrant,
  coveredPrefixes,
  type Grant,
  NATIONAL,
  type Role,
  SYSTEM_ACTOR,
} from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { ARGON2, type GrantInput, type StaffContext, type StaffView } from "./staff.context.ts";
/** Who may manage staff and API keys; routes declare the same lists. */
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";
import { isStrongStaffPassword } from "./staff.rules.ts";

/** Staff accounts: created, listed, disabled; the first administrator. */
export function staffAccounts(ctx: StaffContext) {
  const { db, staff, audit, clock, createAccount, checkGrants, insertGrants, toGrant, cache } = ctx;
  return {
    createAccount,

    /** `sscard admin create`: the first ministry administrator, made by the system actor. */
    bootstrapAdmin(input: { username: string; displayName: string; password: string }) {
      return createAccount(SYSTEM_ACTOR, {
        ...input,
        grants: [{ role: "ministry_admin", areaCode: NATIONAL }],
      });
    },

    async list(actor: Actor): Promise<StaffView[]> {
      authorize(actor, STAFF_PERMISSIONS.manage);
      const rows = await staff.list(db, coveredPrefixes(actor, STAFF_PERMISSIONS.manage));
      const grants = rows.length
        ? await staff.grants(
            db,
            rows.map((r) => r.id),
          )
        : [];
      return rows.map((r) => ({
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        status: r.status,
        lockedUntil: r.locked_until && r.locked_until > clock.now().toISOString() ? r.locked_until : null,
        grants: grants.filter((g) => g.staff_id === r.id).map(toGrant),
        createdAt: r.created_at,
      }));
    },

    /** Disables an account and ends its sessions at once. */
    disable(actor: Actor, staffId: string) {
      return change(actor, staffId, async (trx, { row, areaCode, grant }) => {
        await staff.setStatus(trx, staffId, "disabled");
        await endSessions(trx, staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.disable",
          subjectType: "staff",
          subjectId: staffId,
          areaCode,
          before: { status: row.status },
          after: { status: "disabled" },
        });
      });
    },

    /**
     * Sets a new password for a member of staff who forgot theirs (told to them in person), lifts a
     * lockout and ends their sessions. The password itself is never recorded.
     */
    async resetPassword(actor: Actor, staffId: string, password: string) {
      if (!isStrongStaffPassword(password)) throw new DomainError("WEAK_STAFF_PASSWORD");
      const hash = await argon2Hash(password, ARGON2);
      await change(actor, staffId, async (trx, { areaCode, grant }) => {
        await staff.setPassword(trx, staffId, hash);
        await endSessions(trx, staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.password.reset",
          subjectType: "staff",
          subjectId: staffId,
          areaCode,
        });
      });
    },

    /** Lifts the lockout after wrong passwords (the password stays as it is). */
    unlock(actor: Actor, staffId: string) {
      return change(actor, staffId, async (trx, { row, areaCode, grant }) => {
        if (!row.locked_until || row.locked_until <= clock.now().toISOString())
          throw new DomainError("STAFF_NOT_LOCKED");
        await staff.setLoginState(trx, staffId, 0, null);
        cache.deleteActor(staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.unlock",
          subjectType: "staff",
          subjectId: staffId,
          areaCode,
          before: { lockedUntil: row.locked_until, failedLogins: row.failed_logins },
        });
      });
    },

    /**
     * Replaces an account's grants: the administrator must cover every grant it has and every grant it
     * gets; its sessions end so that the new grants apply at the next sign-in.
     */
    async setGrants(actor: Actor, staffId: string, grants: GrantInput[]) {
      await checkGrants(actor, grants);
      await change(actor, staffId, async (trx, { targetGrants, grant }) => {
        await staff.deleteGrants(trx, staffId);
        await insertGrants(trx, staffId, grants);
        await endSessions(trx, staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.grants",
          subjectType: "staff",
          subjectId: staffId,
          areaCode: grants[0]?.areaCode ?? null,
          before: { grants: targetGrants.map(toGrant) },
          after: { grants },
        });
      });
    },
  };

  /**
   * A change to an account the actor manages, in one transaction with the account's row held: the
   * actor must cover every grant the account has at that moment, and the change sees the row as it is.
   */
  function change(
    actor: Actor,
    staffId: string,
    write: (
      trx: Transaction<Database>,
      target: {
        row: Database["staff"];
        targetGrants: Awaited<ReturnType<typeof staff.grants>>;
        areaCode: string | null;
        grant: Grant;
      },
    ) => Promise<void>,
  ) {
    return db.transaction().execute(async (trx) => {
      const row = await staff.lockAccount(trx, staffId);
      if (!row) throw new DomainError("STAFF_NOT_FOUND");
      const targetGrants = await staff.grants(trx, [staffId]);
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, targetGrants[0]?.area_code);
      for (const g of targetGrants) {
        authorize(actor, STAFF_PERMISSIONS.manage, g.area_code);
        if (!canGrant(actor, g.role as Role, g.area_code)) throw new DomainError("ROLE_OUT_OF_SCOPE");
      }
      await write(trx, { row, targetGrants, areaCode: targetGrants[0]?.area_code ?? null, grant });
    });
  }

  async function endSessions(trx: Transaction<Database>, staffId: string) {
    await staff.revokeSessionsOf(trx, staffId, clock.now().toISOString());
    cache.deleteActor(staffId);
  }
}
