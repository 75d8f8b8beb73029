import { ADMINS, ROLES } from "../../shared/auth.ts";
import { counterAndSystems, counterOnly, permissionsOf, SELF_SERVICE } from "../../shared/permissions.ts";

/** Who may do what in the areas module, through which channel (one slice of the action × channel × role matrix). */
export const AREA_PERMISSIONS = permissionsOf("areas", {
  read: {
    summary: "areas, their outlets, policies and work calendars",
    channels: { ...counterAndSystems(ROLES), kiosk: SELF_SERVICE, phone: SELF_SERVICE, web: SELF_SERVICE },
  },
  // An area is registered by the level above it; issuer identification numbers are the ministry's to
  // allocate (Measures Art. 6-7: through the approval of an application, or given by the ministry here).
  create: {
    summary: "register an area under one's own (province, city, county)",
    channels: counterOnly(ADMINS),
  },
  applications: {
    summary: "read applications to issue cards: the area's own, its province's, all for the ministry",
    channels: counterOnly(ADMINS),
  },
  apply: {
    summary: "an area's application to issue cards (Measures Art. 6, 7): its materials and conditions, filed",
    channels: counterOnly(["province_admin", "city_admin"]),
  },
  review: {
    summary: "a province forwards a city's application to the ministry, or returns it",
    channels: counterOnly(["province_admin"]),
  },
  approve: {
    summary:
      "the ministry approves an application (allocating the issuer identification number) or returns it",
    channels: counterOnly(["ministry_admin"]),
  },
  writePolicy: { summary: "publish a regional policy version", channels: counterOnly(ADMINS) },
  createOutlet: { summary: "register a service outlet or bank branch", channels: counterOnly(ADMINS) },
});
