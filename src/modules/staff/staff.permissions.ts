import { ADMINS, ROLES } from "../../shared/auth.ts";
import { counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the staff module, through which channel (one slice of the action × channel × role matrix). */
export const STAFF_PERMISSIONS = permissionsOf("staff", {
  manage: { summary: "staff accounts and API keys", channels: counterOnly(ADMINS) },
  self: {
    summary: "who am I, sign out",
    channels: { counter: ROLES, terminal: ROLES, kiosk: ROLES, phone: ROLES, web: ROLES },
  },
  ownPassword: { summary: "change my own password (a staff session's)", channels: counterOnly(ROLES) },
});
