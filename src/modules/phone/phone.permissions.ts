import { permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what on the phone lines, through which channel (one slice of the matrix). */
export const PHONE_PERMISSIONS = permissionsOf("phone", {
  ivr: {
    summary:
      "run calls on the 12333 and 96102 lines: card status, medical insurance number, the account and contributions after the card password, outlets, the initial password, a pre-loss with the ID number and password",
    // The outlet's clerk may take a call over at the counter (the agents' queue), as the line does.
    channels: { counter: ["outlet_clerk"], phone: SELF_SERVICE },
  },
});
