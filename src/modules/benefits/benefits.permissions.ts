import { ADMINS } from "../../shared/auth.ts";
import { counterAndSystems, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what with benefits paid to the card, through which channel (one slice of the matrix). */
export const BENEFIT_PERMISSIONS = permissionsOf("benefits", {
  disburse: {
    summary:
      "benefit payment batches: an office's list of payments, the partner banks' payment files and their return files, the failures with their remedy",
    // The issuing office at its workstation, or the social insurance agency's own system with a key.
    channels: counterAndSystems(ADMINS),
  },
});
