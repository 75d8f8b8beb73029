/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface CardPasswordsTable {
  card_id: string;
  pvv: string;
  /** 1 while the password is still the initial value (integers: node:sqlite has no booleans). */
  is_initial: number;
  failures: number;
  failure_day: string | null;
  locked_at: string | null;
  changed_at: string | null;
  created_at: string;
}

export interface PinAttemptsTable {
  id: string;
  card_id: string;
  at: string;
  channel: string;
  actor_type: string;
  actor_id: string;
  source: string;
  purpose: string;
  result: string;
  failures_after: number;
}

export interface PinThrottleTable {
  key: string;
  window_start: string;
  failures: number;
}

/** The credentials module's tables. */
export interface CredentialsTables {
  card_passwords: CardPasswordsTable;
  pin_attempts: PinAttemptsTable;
  pin_throttle: PinThrottleTable;
}
