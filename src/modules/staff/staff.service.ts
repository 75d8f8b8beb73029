import { staffAccounts } from "./staff.accounts.ts";
import { createStaffContext, type StaffDeps } from "./staff.context.ts";
import { staffApiKeys } from "./staff.keys.ts";
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";
import { staffSessions } from "./staff.sessions.ts";

export type { GrantInput, StaffView } from "./staff.context.ts";
export { STAFF_PERMISSIONS };

/** Staff accounts, sessions and API keys, assembled from one file per use case (helpers in staff.context.ts). */
export function createStaffService(deps: StaffDeps) {
  const ctx = createStaffContext(deps);
  return {
    ...staffAccounts(ctx),
    ...staffSessions(ctx),
    ...staffApiKeys(ctx),
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
