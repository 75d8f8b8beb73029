import type { Generated, Insertable, Selectable } from "kysely";
import type { CardState } from "../modules/cards/cards.rules.ts";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface AreasTable {
  code: string;
  name: string;
  level: "national" | "province" | "city";
  issuer_id: string | null;
  parent_code: string | null;
  created_at: string;
}

export interface AreaPoliciesTable {
  area_code: string;
  version: number;
  effective_from: string;
  policy: string;
  note: string | null;
  created_by: string;
  created_at: string;
}

export interface OutletsTable {
  id: string;
  area_code: string;
  name: string;
  kind: "service_outlet" | "bank_branch" | "hospital" | "pharmacy";
  address: string | null;
  bank_code: string | null;
  created_at: string;
}

export interface PersonsTable {
  id: string;
  id_number_index: string;
  id_number_enc: string;
  id_number_masked: string;
  pii_enc: string;
  name_masked: string;
  sex: "M" | "F";
  birth_date: string;
  birth_region_code: string;
  ethnicity: string;
  area_code: string;
  photo_ref: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface StaffTable {
  id: string;
  username: string;
  display_name: string;
  password_hash: string;
  status: "active" | "disabled";
  failed_logins: number;
  locked_until: string | null;
  created_at: string;
}

export interface StaffRolesTable {
  staff_id: string;
  role: string;
  area_code: string;
  outlet_id: string | null;
  employer_id: string | null;
  /** For a hospital or pharmacy operator: the designated institution it acts for. */
  institution_id: string | null;
}

export interface SessionsTable {
  token_hash: string;
  staff_id: string;
  channel: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  token_hash: string;
  name: string;
  role: string;
  area_code: string;
  channel: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
  /** For an employer's system (role employer_operator): the employer it acts for. */
  employer_id: string | null;
  /** For a hospital's or pharmacy's system: the designated institution it acts for. */
  institution_id: string | null;
}

export interface AuditLogTable {
  seq: number;
  at: string;
  actor_type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  action: string;
  subject_type: string;
  subject_id: string;
  area_code: string | null;
  before: string | null;
  after: string | null;
  prev_hash: string;
  hash: string;
}

/** A signed seal of the audit chain up to `head_seq` (src/modules/audit). */
export interface AuditCheckpointsTable {
  head_seq: number;
  head_hash: string;
  at: string;
  reason: string;
  /** Which audit key signed it: the first 16 hex digits of the SM3 hash of its public key. */
  key_id: string;
  /** The signature of the checkpoint before it ("" for the first). */
  prev_signature: string;
  signature: string;
}

/** A periodic job's run for one period (src/modules/jobs). */
export interface JobRunsTable {
  job: string;
  period: string;
  status: "running" | "succeeded" | "failed";
  started_at: string;
  finished_at: string | null;
  /** The process that ran it (host:pid). */
  runner: string;
  /** JSON: how far it got, while it runs. */
  progress: string | null;
  /** JSON: what it did. */
  result: string | null;
  error: string | null;
}

export interface CardsTable {
  id: string;
  card_number: string;
  card_id_code: string;
  spec_version: string;
  card_type: string;
  person_id: string;
  area_code: string;
  state: CardState;
  state_before_loss: CardState | null;
  ss_function: "not_activated" | "activated";
  financial_function: "not_activated" | "activated" | "cancelled";
  bank_code: string | null;
  photo_ref: string | null;
  application_kind: "new" | "replacement" | "renewal";
  application_channel: string;
  replaces_card_id: string | null;
  replacement_reason: string | null;
  employer_code: string | null;
  employer_name: string | null;
  batch_id: string | null;
  issue_date: string | null;
  valid_until: string | null;
  /** The key version the chip was personalised with (null: not personalised by sscard). */
  key_version: number | null;
  personalised_at: string | null;
  issued_to: "holder" | "employer" | null;
  employer_letter_ref: string | null;
  temp_certificate_no: string | null;
  ready_date: string | null;
  fee_fen: number | null;
  temporarily_lost_at: string | null;
  cancel_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CardEventsTable {
  card_id: string;
  seq: number;
  at: string;
  action: string;
  from_state: CardState | null;
  to_state: CardState;
  actor_type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  details: string | null;
}

export interface ProductionBatchesTable {
  id: string;
  area_code: string;
  card_count: number;
  status: "sent" | "returned";
  created_by: string;
  created_at: string;
  returned_at: string | null;
}

export interface BankTasksTable {
  id: string;
  card_id: string;
  bank_code: string;
  kind: "cancel_account";
  reason: string;
  status: "open" | "done";
  created_at: string;
  done_at: string | null;
  done_by: string | null;
}

export interface CalendarDaysTable {
  area_code: string;
  date: string;
  kind: "holiday" | "workday";
  name: string;
}

export interface CardPasswordsTable {
  card_id: string;
  pvv: string;
  /** 1 while the password is still the initial value (integers: node:sqlite has no booleans). */
  is_initial: number;
  failures: number;
  failure_day: string | null;
  locked_at: string | null;
  changed_at: string | null;
  created_at: string;
}

export interface PinAttemptsTable {
  id: string;
  card_id: string;
  at: string;
  channel: string;
  actor_type: string;
  actor_id: string;
  source: string;
  purpose: string;
  result: string;
  failures_after: number;
}

export interface PinThrottleTable {
  key: string;
  window_start: string;
  failures: number;
}

export interface HsmKeysTable {
  label: string;
  usage: string;
  algorithm: string;
  key_version: number;
  area_code: string | null;
  /** The key wrapped under the LMK (see src/modules/keys/key-block.ts); never the clear key or its KCV. */
  block: string;
  /** For an asymmetric key (an area CA's SM2 key): its public key, hex. */
  public_key: string | null;
  created_at: string;
  retired_at: string | null;
}

export interface CardCertificatesTable {
  serial: string;
  card_id_code: string;
  area_code: string;
  /** The signed certificate document (canonical JSON, see src/modules/chip/certificates.ts). */
  certificate: string;
  created_at: string;
}

export interface BlacklistChangesTable {
  version: number;
  card_id_code: string;
  area_code: string;
  action: "add" | "remove";
  state: string;
  at: string;
}

export interface RemoteAuthenticationsTable {
  id: string;
  card_id_code: string;
  terminal_id: string;
  random: string;
  expires_at: string;
  completed_at: string | null;
}

export interface TerminalsTable {
  terminal_no: string;
  area_code: string;
  name: string;
  psam_serial: string | null;
  psam_issued_at: string | null;
  created_at: string;
  institution_id: string | null;
}

export interface MetaTable {
  key: string;
  value: string;
}

export interface Database {
  areas: AreasTable;
  area_policies: AreaPoliciesTable;
  outlets: OutletsTable;
  persons: PersonsTable;
  staff: StaffTable;
  staff_roles: StaffRolesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  audit_checkpoints: AuditCheckpointsTable;
  job_runs: JobRunsTable;
  meta: MetaTable;
  cards: CardsTable;
  card_events: CardEventsTable;
  production_batches: ProductionBatchesTable;
  bank_tasks: BankTasksTable;
  calendar_days: CalendarDaysTable;
  card_passwords: CardPasswordsTable;
  pin_attempts: PinAttemptsTable;
  pin_throttle: PinThrottleTable;
  hsm_keys: HsmKeysTable;
  blacklist_changes: BlacklistChangesTable;
  remote_authentications: RemoteAuthenticationsTable;
  terminals: TerminalsTable;
  card_certificates: CardCertificatesTable;
  employers: EmployersTable;
  personal_numbers: PersonalNumbersTable;
  enrolments: EnrolmentsTable;
  enrolment_events: EnrolmentEventsTable;
  employments: EmploymentsTable;
  arrears: ArrearsTable;
  card_checks: CardChecksTable;
  holder_sessions: HolderSessionsTable;
  ecard_channels: EcardChannelsTable;
  ecards: EcardsTable;
  ecard_devices: EcardDevicesTable;
  ecard_status_changes: EcardStatusChangesTable;
  ecard_code_uses: EcardCodeUsesTable;
  ecard_authorisations: EcardAuthorisationsTable;
  ecard_consents: EcardConsentsTable;
  person_photos: PersonPhotosTable;
  ecard_counter_tickets: EcardCounterTicketsTable;
  ecard_family: EcardFamilyTable;
  kept_face_photos: KeptFacePhotosTable;
  institutions: InstitutionsTable;
  catalogue_versions: CatalogueVersionsTable;
  catalogue_items: CatalogueItemsTable;
  medical_accounts: MedicalAccountsTable;
  ledger_entries: LedgerEntriesTable;
  contributions: ContributionsTable;
  account_credits: AccountCreditsTable;
  settlements: SettlementsTable;
  settlement_items: SettlementItemsTable;
  settlement_refunds: SettlementRefundsTable;
}

export interface InstitutionsTable {
  id: string;
  code: string;
  name: string;
  kind: "hospital" | "pharmacy";
  area_code: string;
  agreement_from: string;
  agreement_until: string;
  created_at: string;
}

export interface CatalogueVersionsTable {
  version: number;
  name: string;
  effective_from: string;
  sample: number;
  item_count: number;
  imported_at: string;
}

export interface CatalogueItemsTable {
  version: number;
  code: string;
  name: string;
  class: "A" | "B" | "none";
  self_pay_bp: number;
}

export interface MedicalAccountsTable {
  person_id: string;
  area_code: string;
  balance_fen: number;
  updated_at: string;
}

export interface LedgerEntriesTable {
  seq: Generated<number>;
  id: string;
  journal_id: string;
  account: string;
  amount_fen: number;
  kind: string;
  day: string;
  at: string;
}

export interface ContributionsTable {
  id: string;
  person_id: string;
  coordination_area: string;
  month: string;
  payer: "employer" | "self";
  employer_id: string | null;
  grade_percent: number | null;
  base_fen: number;
  employer_fen: number;
  personal_fen: number;
  account_share_fen: number;
  paid_at: string;
}

export interface AccountCreditsTable {
  person_id: string;
  month: string;
  amount_fen: number;
  journal_id: string;
  at: string;
}

export interface SettlementsTable {
  id: string;
  institution_id: string;
  idempotency_key: string;
  request_hash: string;
  person_id: string;
  card_id: string;
  terminal_no: string;
  medium: "card" | "ecard";
  catalogue_version: number;
  total_fen: number;
  covered_fen: number;
  account_fen: number;
  self_fen: number;
  refunded_account_fen: number;
  refunded_self_fen: number;
  state: "settled" | "partly_refunded" | "reversed";
  journal_id: string;
  day: string;
  at: string;
}

export interface SettlementItemsTable {
  settlement_id: string;
  line: number;
  code: string;
  name: string;
  class: "A" | "B" | "none";
  quantity: number;
  unit_price_fen: number;
  amount_fen: number;
  covered_fen: number;
  account_fen: number;
  self_fen: number;
  refunded_quantity: number;
}

export interface SettlementRefundsTable {
  id: string;
  settlement_id: string;
  idempotency_key: string;
  lines: string;
  account_fen: number;
  self_fen: number;
  journal_id: string;
  day: string;
  at: string;
}

export interface KeptFacePhotosTable {
  id: string;
  person_id: string;
  consent_id: string;
  photo_enc: string;
  created_at: string;
}

export interface EcardFamilyTable {
  id: string;
  holder_ecard_id: string;
  relative_person_id: string;
  relationship: "child" | "parent" | "spouse" | "other";
  /** How the relative was verified: their own face (adults), or the guardian's word and a photo (children). */
  verified_by: "face" | "guardian_photo";
  added_at: string;
  removed_at: string | null;
}

export interface EcardCounterTicketsTable {
  /** A keyed hash of the ticket the holder takes from the counter to the app. */
  ticket_hash: string;
  person_id: string;
  issued_by: string;
  expires_at: string;
  used_at: string | null;
}

export interface EcardChannelsTable {
  id: string;
  code: string;
  name: string;
  class: string;
  level: number;
  parent_id: string | null;
  /** A keyed hash of the channel's secret (shown once at registration). */
  secret_hash: string;
  /** JSON array of the services the channel may call. */
  services: string;
  state: "active" | "suspended" | "exited";
  created_at: string;
}

export interface EcardsTable {
  /** The e-card's public id (in credentials and the status list), 32 hex. */
  id: string;
  card_id: string;
  person_id: string;
  /** 1 when the holder suspended the e-card everywhere. */
  suspended: number;
  /** Raised at every change of availability; credentials carry it. */
  status_version: number;
  created_at: string;
  /** The e-card password's verification value (the encryption machine's), null until it is set. */
  pin_pvv: string | null;
  pin_failures: number;
  pin_locked_at: string | null;
}

export interface EcardDevicesTable {
  id: string;
  ecard_id: string;
  channel_id: string;
  device_key: string;
  created_at: string;
  revoked_at: string | null;
}

export interface EcardStatusChangesTable {
  version: number;
  ecard_id: string;
  status_version: number;
  usable: number;
  at: string;
}

export interface EcardCodeUsesTable {
  code_id: string;
  ecard_id: string;
  used_by: string;
  used_at: string;
}

export interface EcardAuthorisationsTable {
  id: string;
  ecard_id: string;
  granted_at: string;
  expires_at: string;
  revoked_at: string | null;
}

export interface EcardConsentsTable {
  id: string;
  person_id: string;
  channel_id: string;
  kind: string;
  text_version: string;
  at: string;
  withdrawn_at: string | null;
}

export interface PersonPhotosTable {
  person_id: string;
  /** The identity photo (JPEG), encrypted like the person's other fields. */
  photo_enc: string;
  taken_on: string;
  created_at: string;
}

export interface HolderSessionsTable {
  token_hash: string;
  person_id: string;
  name_masked: string;
  channel: string;
  created_at: string;
  expires_at: string;
  last_seen_at: string;
  revoked_at: string | null;
}

export interface EmployersTable {
  id: string;
  credit_code: string;
  name: string;
  area_code: string;
  /** The contact person's name and phone, encrypted like a person's fields. */
  contact_enc: string;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface PersonalNumbersTable {
  number: string;
  person_id: string;
  coordination_area: string;
  /** The register that issued it: employee or resident insurance; `merged` for a merge's survivor. */
  kind: "employee" | "resident" | "merged";
  /** Set when merged: the surviving number (this one stays as an alias). */
  merged_into: string | null;
  merged_at: string | null;
  created_at: string;
}

export interface EnrolmentsTable {
  id: string;
  person_id: string;
  personal_number: string;
  scheme: string;
  area_code: string;
  coordination_area: string;
  employer_id: string | null;
  start_date: string;
  status: string;
  status_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface EnrolmentEventsTable {
  id: string;
  enrolment_id: string;
  /** The event's place in its enrolment's history (1, 2, …). */
  seq: number;
  at: string;
  action: string;
  from_status: string | null;
  to_status: string;
  reason: string | null;
  actor_id: string;
}

export interface EmploymentsTable {
  id: string;
  employer_id: string;
  person_id: string;
  hired_on: string;
  registered_on: string | null;
  /** 1 when registered more than 30 days after hiring. */
  late: number;
  created_at: string;
}

export interface ArrearsTable {
  id: string;
  person_id: string;
  coordination_area: string;
  from_date: string;
  to_date: string | null;
  reason: string;
  created_at: string;
}

export interface CardChecksTable {
  id: string;
  card_number: string;
  card_id: string | null;
  at: string;
  actor_id: string;
  actor_name: string;
  actor_role: string;
  channel: string;
  result: string;
}

export type AreaRow = Selectable<AreasTable>;
export type PersonRow = Selectable<PersonsTable>;
export type NewPerson = Insertable<PersonsTable>;
export type StaffRow = Selectable<StaffTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type AuditCheckpointRow = Selectable<AuditCheckpointsTable>;
export type JobRunRow = Selectable<JobRunsTable>;
export type CardRow = Selectable<CardsTable>;
