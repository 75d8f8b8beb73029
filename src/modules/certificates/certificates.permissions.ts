import { ADMINS } from "../../shared/auth.ts";
import { counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the certificates module, through which channel (one slice of the action × channel × role matrix). */
export const CERTIFICATE_PERMISSIONS = permissionsOf("certificates", {
  print: { summary: "print a certificate (PDF)", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
  revoke: {
    summary: "revoke a certificate with a reason",
    channels: counterOnly(["outlet_clerk", ...ADMINS]),
  },
});
