import { ADMINS } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what in the enrolment module, through which channel (one slice of the action × channel × role matrix). */
export const ENROLMENT_PERMISSIONS = permissionsOf("enrolment", {
  manage: {
    summary: "enrol, transfer and stop insurance",
    channels: counterOnly(["outlet_clerk", ...ADMINS]),
  },
  read: {
    summary: "a person's enrolments",
    channels: {
      ...counterAndSystems(["outlet_clerk", "auditor", ...ADMINS]),
      kiosk: SELF_SERVICE,
      phone: SELF_SERVICE,
    },
  },
  arrearsRun: {
    summary: "the arrears run: suspend the medical function beyond the grace of unpaid months",
    channels: counterOnly(ADMINS),
  },
  check: {
    summary: "check that a card's holder is insured (at treatment)",
    channels: counterAndSystems(["medical_operator", "pharmacy_operator", "outlet_clerk", ...ADMINS]),
  },
});
