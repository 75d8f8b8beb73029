import { PERMISSIONS } from "../../shared/permissions.ts";

/** Who may do what with enrolments, through which channel. */
export const ENROLMENT_PERMISSIONS = PERMISSIONS.enrolment;
