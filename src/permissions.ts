import { AREA_PERMISSIONS } from "./modules/areas/areas.permissions.ts";
import { AUDIT_PERMISSIONS } from "./modules/audit/audit.permissions.ts";
import { BENEFIT_PERMISSIONS } from "./modules/benefits/benefits.permissions.ts";
import { CARD_PERMISSIONS } from "./modules/cards/cards.permissions.ts";
import { CERTIFICATE_PERMISSIONS } from "./modules/certificates/certificates.permissions.ts";
import { CHIP_PERMISSIONS } from "./modules/chip/chip.permissions.ts";
import { PASSWORD_PERMISSIONS } from "./modules/credentials/credentials.permissions.ts";
import { ECARD_PERMISSIONS } from "./modules/ecard/ecard.permissions.ts";
import { EMPLOYER_PERMISSIONS } from "./modules/employers/employers.permissions.ts";
import { ENROLMENT_PERMISSIONS } from "./modules/enrolment/enrolment.permissions.ts";
import { JOB_PERMISSIONS } from "./modules/jobs/jobs.permissions.ts";
import { KEY_PERMISSIONS } from "./modules/keys/keys.permissions.ts";
import { KIOSK_PERMISSIONS } from "./modules/kiosk/kiosk.permissions.ts";
import { MEDICAL_PERMISSIONS } from "./modules/medical/medical.permissions.ts";
import { PERSON_PERMISSIONS } from "./modules/persons/persons.permissions.ts";
import { STAFF_PERMISSIONS } from "./modules/staff/staff.permissions.ts";
import type { Permission } from "./shared/permissions.ts";

/**
 * The action × channel × role matrix, assembled from the slice each module declares in its
 * `<module>.permissions.ts`: docs/permissions.md, the permission tests and /auth/me read it from here.
 */
export const PERMISSIONS = {
  areas: AREA_PERMISSIONS,
  audit: AUDIT_PERMISSIONS,
  benefits: BENEFIT_PERMISSIONS,
  cards: CARD_PERMISSIONS,
  certificates: CERTIFICATE_PERMISSIONS,
  chip: CHIP_PERMISSIONS,
  credentials: PASSWORD_PERMISSIONS,
  ecard: ECARD_PERMISSIONS,
  employers: EMPLOYER_PERMISSIONS,
  enrolment: ENROLMENT_PERMISSIONS,
  jobs: JOB_PERMISSIONS,
  keys: KEY_PERMISSIONS,
  kiosk: KIOSK_PERMISSIONS,
  medical: MEDICAL_PERMISSIONS,
  persons: PERSON_PERMISSIONS,
  staff: STAFF_PERMISSIONS,
} as const;

/** Every permission in the matrix, in order. */
export const ALL_PERMISSIONS: readonly Permission[] = Object.values(PERMISSIONS).flatMap((m) =>
  Object.values(m as Record<string, Permission>),
);
