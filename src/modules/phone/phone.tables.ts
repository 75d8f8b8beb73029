/** A call on the 12333 or 96102 line (times ISO-8601 UTC). */
export interface IvrCallsTable {
  /** The switch's identifier of the call (Asterisk's uniqueid, FreeSWITCH's UUID). */
  call_id: string;
  line: "12333" | "96102";
  /** The caller's number, first 3 and last 4 digits. */
  caller_masked: string;
  /** The phone channel key the switch called with. */
  key_id: string;
  area_code: string;
  /** The IVR's state (ivr.rules.ts), JSON, without the transcript. */
  state: string;
  /** The transcript, JSON: who said or keyed what, digits masked. */
  transcript: string;
  version: number;
  /** Held by the event being answered until then (ISO-8601 UTC); null when free. */
  held_until: string | null;
  started_at: string;
  updated_at: string;
  ended_at: string | null;
}

/** The phone module's tables. */
export interface PhoneTables {
  ivr_calls: IvrCallsTable;
}
