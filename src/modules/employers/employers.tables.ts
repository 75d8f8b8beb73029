/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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

/** The employers module's tables. */
export interface EmployersTables {
  employers: EmployersTable;
  employments: EmploymentsTable;
}
