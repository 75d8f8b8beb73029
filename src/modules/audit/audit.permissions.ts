import { ADMINS } from "../../shared/auth.ts";
import { counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the audit module, through which channel (one slice of the action × channel × role matrix). */
export const AUDIT_PERMISSIONS = permissionsOf("audit", {
  read: { summary: "read the audit log", channels: counterOnly(["auditor", ...ADMINS]) },
  verify: {
    summary: "verify the audit chain",
    channels: counterOnly(["auditor", "ministry_admin", "province_admin"]),
  },
});
