import { permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what at the self-service terminals, through which channel (one slice of the matrix). */
export const KIOSK_PERMISSIONS = permissionsOf("kiosk", {
  preLoss: {
    summary:
      "pre-loss a card without a session, with the holder's ID number and the card's password (touch screens in outlets and hospitals)",
    channels: { counter: ["outlet_clerk"], kiosk: SELF_SERVICE },
  },
  session: {
    summary:
      "open a holder's session at the kiosk: by the card and its password (all services) or by the resident ID card swiped (reads and prints)",
    channels: { counter: ["outlet_clerk"], kiosk: SELF_SERVICE },
  },
});
