/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
export interface HsmKeysTable {
  label: string;
  usage: string;
  algorithm: string;
  key_version: number;
  area_code: string | null;
  /** The key wrapped under the LMK (see src/modules/keys/key-block.ts); never the clear key or its KCV. */
  block: string;
  /** For an asymmetric key (an area CA's SM2 key): its public key, hex. */
  public_key: string | null;
  created_at: string;
  retired_at: string | null;
}

/**
 * A key ceremony run from the administrators' pages: opened by one administrator, the key made when
 * enough custodians (each a different staff member) have entered their components, or made at once for
 * a key the machine generates itself (an area's local key, its CA key).
 */
export interface KeyCeremoniesTable {
  id: string;
  /** national (a national control key), transport (a key shared with a party), local, ca. */
  kind: "national" | "transport" | "local" | "ca";
  /** null for a national key. */
  area_code: string | null;
  key_type: string | null;
  algorithm: string;
  /** The party a transport key is shared with (factory, ministry). */
  party: string | null;
  key_version: number;
  /** The label of the key the ceremony makes. */
  label: string;
  /** The label while the ceremony is open (unique: one open ceremony per key), null once closed. */
  open_label: string | null;
  components_required: number;
  state: "open" | "completed" | "cancelled";
  version: number;
  opened_by: string;
  opened_by_name: string;
  opened_at: string;
  closed_by_name: string | null;
  closed_at: string | null;
  /** The made key's check value, for the custodians' record (a key's KCV, never the key). */
  kcv: string | null;
}

/** A custodian's component, sealed under the LMK until the ceremony combines it (then deleted). */
export interface KeyCeremonyComponentsTable {
  ceremony_id: string;
  custodian_id: string;
  custodian_name: string;
  /** The component as a key block sealed by the LMK; null once the ceremony is closed. */
  block: string | null;
  /** The component's own check value, for its custodian to confirm what was typed. */
  kcv: string;
  entered_at: string;
}

/** The keys module's tables. */
export interface KeysTables {
  hsm_keys: HsmKeysTable;
  key_ceremonies: KeyCeremoniesTable;
  key_ceremony_components: KeyCeremonyComponentsTable;
}
