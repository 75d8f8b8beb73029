import { ADMINS } from "../../shared/auth.ts";
import {
  counterAndSystems,
  counterOnly,
  permissionsOf,
  SELF_SERVICE,
  SETTLING,
} from "../../shared/permissions.ts";

/** Who may do what in the credentials module, through which channel (one slice of the action × channel × role matrix). */
export const PASSWORD_PERMISSIONS = permissionsOf("credentials", {
  verify: {
    summary: "verify the card's password",
    channels: {
      ...counterAndSystems(["outlet_clerk", ...SETTLING, ...ADMINS]),
      kiosk: SELF_SERVICE,
      phone: SELF_SERVICE,
    },
  },
  change: {
    summary: "change the card's password with the current one (outlets, self-service, a pharmacy's PIN pad)",
    channels: { counter: ["outlet_clerk", ...SETTLING], terminal: SETTLING, kiosk: SELF_SERVICE },
  },
  unlockOrReset: {
    summary: "unlock a locked password, reset a forgotten one: at the service outlet only",
    channels: counterOnly(["outlet_clerk"]),
  },
  read: {
    summary: "a card's password status and attempts",
    channels: counterOnly(["outlet_clerk", "auditor", ...ADMINS]),
  },
});
