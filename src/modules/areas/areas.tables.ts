import type { Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface AreasTable {
  code: string;
  name: string;
  level: "national" | "province" | "city" | "county";
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

/** An area's application to issue cards (Measures Art. 6, 7); times ISO-8601 UTC. */
export interface AreaApplicationsTable {
  id: string;
  area_code: string;
  state: "draft" | "at_province" | "at_ministry" | "returned" | "approved";
  version: number;
  /** The five conditions of Art. 6, JSON `{code: {met, evidence}}`. */
  conditions: string;
  /** Allocated by the ministry's approval. */
  issuer_id: string | null;
  filed_by: string;
  created_at: string;
  updated_at: string;
}

/** One of the six materials of Art. 7, as uploaded (the content base64, its SHA-256). */
export interface AreaApplicationMaterialsTable {
  application_id: string;
  kind: string;
  file_name: string;
  content_type: string;
  size_bytes: number;
  sha256: string;
  content: string;
  uploaded_by: string;
  uploaded_at: string;
}

/** Each step of an application: filed, forwarded, returned with its reason, approved. */
export interface AreaApplicationStepsTable {
  id: string;
  application_id: string;
  /** The application's version this step made (the steps' order). */
  version: number;
  at: string;
  actor_id: string;
  actor_name: string;
  action: string;
  from_state: string;
  to_state: string;
  reason: string | null;
}

/** The areas module's tables. */
export interface AreasTables {
  area_applications: AreaApplicationsTable;
  area_application_materials: AreaApplicationMaterialsTable;
  area_application_steps: AreaApplicationStepsTable;
  areas: AreasTable;
  area_policies: AreaPoliciesTable;
  outlets: OutletsTable;
}

export type AreaRow = Selectable<AreasTable>;
