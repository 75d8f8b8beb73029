import type { Insertable, Selectable } from "kysely";

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
  meta: MetaTable;
}

export type AreaRow = Selectable<AreasTable>;
export type PersonRow = Selectable<PersonsTable>;
export type NewPerson = Insertable<PersonsTable>;
export type StaffRow = Selectable<StaffTable>;
export type AuditRow = Selectable<AuditLogTable>;
