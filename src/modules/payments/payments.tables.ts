/** A self-service contribution's payment order (times ISO-8601 UTC). */
export interface PaymentOrdersTable {
  order_no: string;
  person_id: string;
  /** The contribution month, YYYY-MM. */
  month: string;
  grade_percent: number;
  amount_fen: number;
  /** Where the holder ordered it: kiosk or web. */
  channel: string;
  /** created → paid; or, when the month was paid another way meanwhile, created → refund_due → refunded. */
  state: "created" | "paid" | "refund_due" | "refunded";
  created_at: string;
  paid_at: string | null;
  bank_txn_no: string | null;
  contribution_id: string | null;
}

/** The payments module's tables. */
export interface PaymentsTables {
  payment_orders: PaymentOrdersTable;
}
