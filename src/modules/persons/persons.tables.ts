import type { Insertable, Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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

/** The persons module's tables. */
export interface PersonsTables {
  persons: PersonsTable;
}

export type PersonRow = Selectable<PersonsTable>;
export type NewPerson = Insertable<PersonsTable>;
