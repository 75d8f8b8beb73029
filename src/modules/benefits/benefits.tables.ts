import type { BenefitFailure, BenefitKind, BenefitState } from "./benefits.rules.ts";

/** An office's benefit payment batch (times ISO-8601 UTC). */
export interface BenefitBatchesTable {
  id: string;
  area_code: string;
  /** The office's own reference for the batch, unique in the area (a batch sent twice is one batch). */
  reference: string;
  kind: BenefitKind;
  /** The benefit month, YYYY-MM. */
  period: string;
  payment_count: number;
  total_fen: number;
  created_by: string;
  created_at: string;
}

/** A partner bank's payment file of a batch. */
export interface BenefitFilesTable {
  id: string;
  batch_id: string;
  bank_code: string;
  created_at: string;
  returned_at: string | null;
}

/** One person's benefit for one month: at most one per kind, period and person. */
export interface BenefitPaymentsTable {
  id: string;
  batch_id: string;
  person_id: string;
  kind: BenefitKind;
  period: string;
  amount_fen: number;
  /** pending → sent → paid; a payment that cannot be or was not paid is failed, and is sent again once remedied. */
  state: BenefitState;
  failure: BenefitFailure | null;
  /** The card (and its partner bank) the payment was last sent to or found unable to receive. */
  card_number: string | null;
  bank_code: string | null;
  /** The payment file it was last sent in. */
  file_id: string | null;
  /** How many times it was put in a payment file or found unpayable. */
  attempts: number;
  bank_txn_no: string | null;
  paid_at: string | null;
  updated_at: string;
}

/** The benefits module's tables. */
export interface BenefitsTables {
  benefit_batches: BenefitBatchesTable;
  benefit_files: BenefitFilesTable;
  benefit_payments: BenefitPaymentsTable;
}
