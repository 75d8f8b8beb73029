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
import type { StaffContext, StaffView } from "./staff.context.ts";

/** Who may manage staff and API keys; routes declare the same lists. */
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";

/** Staff accounts: created, listed, disabled; the first administrator. */
export function staffAccounts(ctx: StaffContext) {
  const { db, staff, audit, clock, createAccount, toGrant, cache } = ctx;
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
        grants: grants.filter((g) => g.staff_id === r.id).map(toGrant),
        createdAt: r.created_at,
      }));
    },

    /** Disables an account and ends its sessions at once. */
    async disable(actor: Actor, staffId: string) {
      const row = await staff.byId(db, staffId);
      if (!row) throw new DomainError("STAFF_NOT_FOUND");
      const targetGrants = await staff.grants(db, [staffId]);
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, targetGrants[0]?.area_code);
      for (const g of targetGrants) {
        authorize(actor, STAFF_PERMISSIONS.manage, g.area_code);
        if (!canGrant(actor, g.role as Role, g.area_code)) throw new DomainError("ROLE_OUT_OF_SCOPE");
      }
      await db.transaction().execute(async (trx) => {
        await staff.setStatus(trx, staffId, "disabled");
        await staff.revokeSessionsOf(trx, staffId, clock.now().toISOString());
        cache.deleteActor(staffId);
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
  };
}
