import { ADMINS } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what in the ecard module, through which channel (one slice of the action × channel × role matrix). */
export const ECARD_PERMISSIONS = permissionsOf("ecard", {
  channels: { summary: "register and suspend e-card channels", channels: counterOnly(ADMINS) },
  photos: { summary: "a person's identity photo", channels: counterOnly(["outlet_clerk", ...ADMINS]) },
  terminal: {
    summary: "verify an e-card's code at a terminal",
    channels: {
      ...counterAndSystems(["medical_operator", "pharmacy_operator", "outlet_clerk", ...ADMINS]),
      kiosk: SELF_SERVICE,
    },
  },
});
