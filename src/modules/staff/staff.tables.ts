import type { Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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

/** The staff module's tables. */
export interface StaffTables {
  staff: StaffTable;
  staff_roles: StaffRolesTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
}

export type StaffRow = Selectable<StaffTable>;
