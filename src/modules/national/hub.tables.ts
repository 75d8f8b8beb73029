/**
 * The national hub's own database (a separate database from any province's; on Citus in production).
 * Distribution: `hub_persons` and `hub_person_cards` by `national_index` (co-located, so a person's
 * statements stay on one shard); `hub_card_routes` by `card_number`; `hub_provinces` is a reference
 * table on every node.
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
  };
  /** Card number → its holder's national index and home province (routing cross-province requests). */
  hub_card_routes: {
    card_number: string;
    national_index: string;
    province: string;
    /** The card's state and version as in `hub_person_cards` (written in the same transaction). */
    state: string;
    version: number;
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
  /** The provinces federated through the hub. */
  hub_provinces: {
    code: string;
    name: string;
  };
  hub_meta: { key: string; value: string };
};
