import type { Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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

/** The areas module's tables. */
export interface AreasTables {
  areas: AreasTable;
  area_policies: AreaPoliciesTable;
  outlets: OutletsTable;
}

export type AreaRow = Selectable<AreasTable>;
