import { ADMINS } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the employers module, through which channel (one slice of the action × channel × role matrix). */
export const EMPLOYER_PERMISSIONS = permissionsOf("employers", {
  register: { summary: "register an employer", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
  read: {
    summary: "an employer and its employees",
    channels: counterAndSystems(["outlet_clerk", "auditor", ...ADMINS, "employer_operator"]),
  },
  employees: {
    summary: "register employees (the employer's own operators, and clerks on its behalf)",
    channels: counterAndSystems(["outlet_clerk", ...ADMINS, "employer_operator"]),
  },
  report: {
    summary: "the employers' report",
    channels: counterOnly(["outlet_clerk", "auditor", ...ADMINS]),
  },
});
