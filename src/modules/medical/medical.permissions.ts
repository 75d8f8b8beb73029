import { ADMINS } from "../../shared/auth.ts";
import {
  counterAndSystems,
  counterOnly,
  permissionsOf,
  SELF_SERVICE,
  SETTLING,
} from "../../shared/permissions.ts";

/** Who may do what in the medical module, through which channel (one slice of the action × channel × role matrix). */
export const MEDICAL_PERMISSIONS = permissionsOf("medical", {
  institutions: { summary: "designated institutions", channels: counterOnly(ADMINS) },
  read: {
    summary: "institutions, the catalogue, accounts",
    channels: counterAndSystems([...ADMINS, "auditor", ...SETTLING]),
  },
  searchCatalogue: {
    summary: "search the catalogue in force (tills, outlets, the kiosks' policy consultation)",
    channels: {
      ...counterAndSystems([...ADMINS, "auditor", ...SETTLING, "outlet_clerk"]),
      kiosk: SELF_SERVICE,
    },
  },
  catalogue: {
    summary: "publish the drug and service catalogue",
    channels: counterOnly(["ministry_admin", "province_admin"]),
  },
  settle: {
    summary: "settle and refund at a designated institution",
    channels: counterAndSystems(SETTLING),
  },
  contributions: {
    summary: "record contributions",
    channels: counterAndSystems(["outlet_clerk", ...ADMINS, "employer_operator"]),
  },
  transfer: { summary: "the monthly account transfer", channels: counterOnly(ADMINS) },
  reconcile: {
    summary: "daily reconciliation",
    channels: counterAndSystems([...SETTLING, "auditor", ...ADMINS]),
  },
});
