import { ADMINS } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SETTLING } from "../../shared/permissions.ts";

/** Who may do what in the persons module, through which channel (one slice of the action × channel × role matrix). */
export const PERSON_PERMISSIONS = permissionsOf("persons", {
  register: { summary: "register a person", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
  read: {
    summary: "find and read a person (masked)",
    channels: counterAndSystems(["outlet_clerk", "bank_clerk", ...SETTLING, ...ADMINS]),
  },
  update: { summary: "change a person's data", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
  revealIdNumber: {
    summary: "show a person's ID number in clear",
    channels: counterOnly(["outlet_clerk", ...ADMINS]),
  },
});
