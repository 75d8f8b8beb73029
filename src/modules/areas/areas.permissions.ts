import { ADMINS, ROLES } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what in the areas module, through which channel (one slice of the action × channel × role matrix). */
export const AREA_PERMISSIONS = permissionsOf("areas", {
  read: {
    summary: "areas, their outlets, policies and work calendars",
    channels: { ...counterAndSystems(ROLES), kiosk: SELF_SERVICE, phone: SELF_SERVICE, web: SELF_SERVICE },
  },
  // Issuer identification numbers are the ministry's to allocate (Measures Art. 6-7): until the
  // application and approval workflow exists, only the ministry registers a card-issuing area.
  create: { summary: "register a card-issuing area", channels: counterOnly(["ministry_admin"]) },
  writePolicy: { summary: "publish a regional policy version", channels: counterOnly(ADMINS) },
  createOutlet: { summary: "register a service outlet or bank branch", channels: counterOnly(ADMINS) },
});
