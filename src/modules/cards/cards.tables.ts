import type { Selectable } from "kysely";
import type { CardState } from "./cards.rules.ts";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface CardsTable {
  id: string;
  card_number: string;
  card_id_code: string;
  spec_version: string;
  card_type: string;
  person_id: string;
  area_code: string;
  state: CardState;
  state_before_loss: CardState | null;
  ss_function: "not_activated" | "activated";
  financial_function: "not_activated" | "activated" | "cancelled";
  bank_code: string | null;
  photo_ref: string | null;
  application_kind: "new" | "replacement" | "renewal";
  application_channel: string;
  replaces_card_id: string | null;
  replacement_reason: string | null;
  employer_code: string | null;
  employer_name: string | null;
  batch_id: string | null;
  issue_date: string | null;
  valid_until: string | null;
  /** The key version the chip was personalised with (null: not personalised by sscard). */
  key_version: number | null;
  personalised_at: string | null;
  /** The chip the factory made the card on (its return file), one card per chip. */
  chip_serial: string | null;
  issued_to: "holder" | "employer" | null;
  employer_letter_ref: string | null;
  temp_certificate_no: string | null;
  ready_date: string | null;
  fee_fen: number | null;
  temporarily_lost_at: string | null;
  cancel_reason: string | null;
  version: number;
  created_at: string;
  updated_at: string;
}

export interface CardEventsTable {
  card_id: string;
  seq: number;
  at: string;
  action: string;
  from_state: CardState | null;
  to_state: CardState;
  actor_type: string;
  actor_id: string;
  actor_role: string;
  channel: string;
  details: string | null;
}

export interface ProductionBatchesTable {
  id: string;
  area_code: string;
  card_count: number;
  status: "sent" | "returned";
  created_by: string;
  created_at: string;
  returned_at: string | null;
}

export interface BankTasksTable {
  id: string;
  card_id: string;
  bank_code: string;
  kind: "cancel_account";
  reason: string;
  status: "open" | "done";
  created_at: string;
  done_at: string | null;
  done_by: string | null;
}

export interface CalendarDaysTable {
  area_code: string;
  date: string;
  kind: "holiday" | "workday";
  name: string;
}

export interface BlacklistChangesTable {
  version: number;
  card_id_code: string;
  area_code: string;
  action: "add" | "remove";
  state: CardState;
  at: string;
}

/** The cards module's tables. */
export interface CardsTables {
  cards: CardsTable;
  card_events: CardEventsTable;
  production_batches: ProductionBatchesTable;
  bank_tasks: BankTasksTable;
  calendar_days: CalendarDaysTable;
  blacklist_changes: BlacklistChangesTable;
}

export type CardRow = Selectable<CardsTable>;
