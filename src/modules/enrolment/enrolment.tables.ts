import type { EnrolmentStatus } from "./enrolment.rules.ts";
/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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
  status: EnrolmentStatus;
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
  from_status: EnrolmentStatus | null;
  to_status: EnrolmentStatus;
  reason: string | null;
  actor_id: string;
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
  /** The institution or outlet of the grant the check was made under, by name then (null: none). */
  place: string | null;
}

/** The enrolment module's tables. */
export interface EnrolmentTables {
  personal_numbers: PersonalNumbersTable;
  enrolments: EnrolmentsTable;
  enrolment_events: EnrolmentEventsTable;
  arrears: ArrearsTable;
  card_checks: CardChecksTable;
}
