import { hash as argon2Hash } from "@node-rs/argon2";
import {
  type Actor,
  authorize,
  canGrant,
  coveredPrefixes,
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
  const { db, staff, audit, clock, createAccount, checkGrants, toGrant, cache } = ctx;
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
    async disable(actor: Actor, staffId: string) {
      const { row, targetGrants, grant } = await target(actor, staffId);
      await db.transaction().execute(async (trx) => {
        await staff.setStatus(trx, staffId, "disabled");
        await endSessions(trx, staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.disable",
          subjectType: "staff",
          subjectId: staffId,
          areaCode: targetGrants[0]?.area_code ?? null,
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
      const { targetGrants, grant } = await target(actor, staffId);
      if (!isStrongStaffPassword(password)) throw new DomainError("WEAK_STAFF_PASSWORD");
      const hash = await argon2Hash(password, ARGON2);
      await db.transaction().execute(async (trx) => {
        await staff.setPassword(trx, staffId, hash);
        await endSessions(trx, staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.password.reset",
          subjectType: "staff",
          subjectId: staffId,
          areaCode: targetGrants[0]?.area_code ?? null,
        });
      });
    },

    /** Lifts the lockout after wrong passwords (the password stays as it is). */
    async unlock(actor: Actor, staffId: string) {
      const { row, targetGrants, grant } = await target(actor, staffId);
      if (!row.locked_until || row.locked_until <= clock.now().toISOString())
        throw new DomainError("STAFF_NOT_LOCKED");
      await db.transaction().execute(async (trx) => {
        await staff.setLoginState(trx, staffId, 0, null);
        cache.deleteActor(staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.unlock",
          subjectType: "staff",
          subjectId: staffId,
          areaCode: targetGrants[0]?.area_code ?? null,
          before: { lockedUntil: row.locked_until, failedLogins: row.failed_logins },
        });
      });
    },

    /**
     * Replaces an account's grants: the administrator must cover every grant it has and every grant it
     * gets; its sessions end so that the new grants apply at the next sign-in.
     */
    async setGrants(actor: Actor, staffId: string, grants: GrantInput[]) {
      const { targetGrants, grant } = await target(actor, staffId);
      await checkGrants(actor, grants);
      await db.transaction().execute(async (trx) => {
        await staff.deleteGrants(trx, staffId);
        for (const g of grants)
          await staff.insertGrant(trx, {
            staff_id: staffId,
            role: g.role,
            area_code: g.areaCode,
            outlet_id: g.outletId ?? null,
            employer_id: g.employerId ?? null,
            institution_id: g.institutionId ?? null,
          });
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

  /** An account the actor manages: it must cover every grant the account has. */
  async function target(actor: Actor, staffId: string) {
    const row = await staff.byId(db, staffId);
    if (!row) throw new DomainError("STAFF_NOT_FOUND");
    const targetGrants = await staff.grants(db, [staffId]);
    const grant = authorize(actor, STAFF_PERMISSIONS.manage, targetGrants[0]?.area_code);
    for (const g of targetGrants) {
      authorize(actor, STAFF_PERMISSIONS.manage, g.area_code);
      if (!canGrant(actor, g.role as Role, g.area_code)) throw new DomainError("ROLE_OUT_OF_SCOPE");
    }
    return { row, targetGrants, grant };
  }

  async function endSessions(trx: Parameters<typeof staff.setStatus>[0], staffId: string) {
    await staff.revokeSessionsOf(trx, staffId, clock.now().toISOString());
    cache.deleteActor(staffId);
  }
}
