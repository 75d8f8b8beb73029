/**
 * The database: each module declares its own tables (src/modules/<module>/<module>.tables.ts, with
 * typed columns such as a card's state); this file assembles them. Times are ISO-8601 UTC strings and
 * dates `YYYY-MM-DD` on both dialects.
 */
import type { AreasTables } from "../modules/areas/areas.tables.ts";
import type { AuditTables } from "../modules/audit/audit.tables.ts";
import type { BenefitsTables } from "../modules/benefits/benefits.tables.ts";
import type { CardsTables } from "../modules/cards/cards.tables.ts";
import type { CertificatesTables } from "../modules/certificates/certificates.tables.ts";
import type { ChipTables } from "../modules/chip/chip.tables.ts";
import type { CredentialsTables } from "../modules/credentials/credentials.tables.ts";
import type { EcardTables } from "../modules/ecard/ecard.tables.ts";
import type { EmployersTables } from "../modules/employers/employers.tables.ts";
import type { EnrolmentTables } from "../modules/enrolment/enrolment.tables.ts";
import type { HolderTables } from "../modules/holder/holder.tables.ts";
import type { JobsTables } from "../modules/jobs/jobs.tables.ts";
import type { KeysTables } from "../modules/keys/keys.tables.ts";
import type { MedicalTables } from "../modules/medical/medical.tables.ts";
import type { NationalTables } from "../modules/national/national.tables.ts";
import type { PaymentsTables } from "../modules/payments/payments.tables.ts";
import type { PersonsTables } from "../modules/persons/persons.tables.ts";
import type { PhoneTables } from "../modules/phone/phone.tables.ts";
import type { StaffTables } from "../modules/staff/staff.tables.ts";

export type * from "../modules/areas/areas.tables.ts";
export type * from "../modules/audit/audit.tables.ts";
export type * from "../modules/cards/cards.tables.ts";
export type * from "../modules/certificates/certificates.tables.ts";
export type * from "../modules/chip/chip.tables.ts";
export type * from "../modules/credentials/credentials.tables.ts";
export type * from "../modules/ecard/ecard.tables.ts";
export type * from "../modules/employers/employers.tables.ts";
export type * from "../modules/enrolment/enrolment.tables.ts";
export type * from "../modules/holder/holder.tables.ts";
export type * from "../modules/jobs/jobs.tables.ts";
export type * from "../modules/keys/keys.tables.ts";
export type * from "../modules/medical/medical.tables.ts";
export type * from "../modules/payments/payments.tables.ts";
export type * from "../modules/persons/persons.tables.ts";
export type * from "../modules/phone/phone.tables.ts";
export type * from "../modules/staff/staff.tables.ts";

export interface MetaTable {
  key: string;
  value: string;
}

/** Every table, by name. */
export interface Database
  extends AreasTables,
    BenefitsTables,
    PersonsTables,
    StaffTables,
    AuditTables,
    JobsTables,
    CardsTables,
    CredentialsTables,
    KeysTables,
    ChipTables,
    EmployersTables,
    EnrolmentTables,
    HolderTables,
    EcardTables,
    MedicalTables,
    PaymentsTables,
    PhoneTables,
    CertificatesTables,
    NationalTables {
  meta: MetaTable;
}
