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

/** The keys module's tables. */
export interface KeysTables {
  hsm_keys: HsmKeysTable;
}
