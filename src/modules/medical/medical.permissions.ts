import { PERMISSIONS } from "../../shared/permissions.ts";

/** Who may do what with the medical account, through which channel. */
export const MEDICAL_PERMISSIONS = PERMISSIONS.medical;
