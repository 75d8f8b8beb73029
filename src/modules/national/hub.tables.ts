/**
 * The national hub's own database (a separate database from any province's; on Citus in production).
 * Distribution: `hub_persons` and `hub_person_cards` by `national_index` (co-located, so a person's
 * statements stay on one shard); `hub_card_routes` by `card_number`; `hub_ecard_status` and
 * `hub_ecard_cursors` by `province` (co-located); `hub_provinces` and `hub_areas` are reference tables
 * on every node.
 */
export type HubDatabase = {
  /** One row per person known nationally: the reservation a province holds while it writes a card. */
  hub_persons: {
    national_index: string;
    reserved_province: string | null;
    reserved_at: string | null;
    updated_at: string;
  };
  /** A person's cards in every province, each at the latest version its province published. */
  hub_person_cards: {
    national_index: string;
    card_number: string;
    province: string;
    state: string;
    version: number;
    updated_at: string;
    /** The card's e-card (schema 2): its id, status version and whether it may be used; null before its first change. */
    ecard_id: string | null;
    ecard_sv: number | null;
    ecard_usable: number | null;
  };
  /** Card number → its holder's national index and home province (routing cross-province requests). */
  hub_card_routes: {
    card_number: string;
    national_index: string;
    province: string;
    /** The card's state and version as in `hub_person_cards` (written in the same transaction). */
    state: string;
    version: number;
    /** The e-card's status version and usability as in `hub_person_cards` (schema 2). */
    ecard_sv: number | null;
    ecard_usable: number | null;
  };
  /**
   * The national e-card status list (schema 2), distributed by province: each province's entries in the
   * order the hub committed them (`seq`), an e-card's status version once.
   */
  hub_ecard_status: {
    province: string;
    seq: number;
    ecard_id: string;
    sv: number;
    usable: number;
    at: string;
  };
  /** Each province's last `seq` in the status list, held while entries are appended (co-located with them). */
  hub_ecard_cursors: {
    province: string;
    seq: number;
  };
  /** Cross-province settlements as the hub passed them: who owes whom, day by day (netting). */
  hub_settlements: {
    /** `<treating province>|<hospital code>|<its idempotency key>`: the distribution column. */
    key: string;
    treating_province: string;
    home_province: string;
    card_number: string;
    settlement_id: string;
    day: string;
    total_fen: number;
    account_fen: number;
    self_fen: number;
    at: string;
  };
  /** Refunds of cross-province settlements as the hub passed them (schema 3), netted on their day. */
  hub_refunds: {
    /** `<treating province>|<hospital code>|refund|<its idempotency key>`: the distribution column. */
    key: string;
    /** The settlement's own key in `hub_settlements`. */
    settlement_key: string;
    treating_province: string;
    home_province: string;
    refund_id: string;
    day: string;
    account_fen: number;
    self_fen: number;
    at: string;
  };
  /** The administrative divisions (GB/T 2260) a card may be issued in (schema 4), a reference table. */
  hub_areas: {
    code: string;
    province: string;
    name: string;
  };
  /** The provinces federated through the hub. */
  hub_provinces: {
    code: string;
    name: string;
  };
  hub_meta: { key: string; value: string };
};
