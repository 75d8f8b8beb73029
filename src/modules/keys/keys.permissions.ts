import { ADMINS } from "../../shared/auth.ts";
import { counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the keys module, through which channel (one slice of the action × channel × role matrix). */
export const KEY_PERMISSIONS = permissionsOf("keys", {
  read: {
    summary:
      "the encryption machine's keys: which exist, for which area, their versions and state (never a key)",
    channels: counterOnly(["auditor", ...ADMINS]),
  },
  ceremony: {
    summary:
      "run key ceremonies: open one, enter a component as its custodian (dual control), cancel one; national keys the ministry's",
    channels: counterOnly(ADMINS),
  },
});
