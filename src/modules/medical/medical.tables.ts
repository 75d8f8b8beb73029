import type { Generated } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
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
  medium: "card" | "ecard" | "tempcert";
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

/** A cross-province settlement one of this province's institutions made, as its home province settled it. */
export interface RemoteSettlementsTable {
  /** The home province's settlement id. */
  id: string;
  institution_id: string;
  idempotency_key: string;
  home_province: string;
  medium: string;
  day: string;
  total_fen: number;
  account_fen: number;
  self_fen: number;
  at: string;
}

/** The medical module's tables. */
export interface MedicalTables {
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
  remote_settlements: RemoteSettlementsTable;
}
