import { PERMISSIONS } from "../../shared/permissions.ts";

/** Who may do what with e-cards, through which channel. */
export const ECARD_PERMISSIONS = PERMISSIONS.ecard;
