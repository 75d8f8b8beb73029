import { canonicalJson } from "../../shared/canonical-json.ts";
import { sm3Hex } from "../../shared/crypto.ts";

/** The hash that precedes the first record. */
export const GENESIS_HASH = "0".repeat(64);

/** One audit record as it is chained (everything but its own hash). */
export type AuditRecord = Readonly<{
  seq: number;
  at: string;
  actorType: string;
  actorId: string;
  actorRole: string;
  channel: string;
  action: string;
  subjectType: string;
  subjectId: string;
  areaCode: string | null;
  before: string | null;
  after: string | null;
  prevHash: string;
}>;

/** The canonical text of a record: a JSON array in a fixed field order. */
export function canonicalRecord(r: AuditRecord): string {
  return JSON.stringify([
    r.seq,
    r.at,
    r.actorType,
    r.actorId,
    r.actorRole,
    r.channel,
    r.action,
    r.subjectType,
    r.subjectId,
    r.areaCode,
    r.before,
    r.after,
    r.prevHash,
  ]);
}

/** SM3 over the previous hash and the canonical record. */
export function recordHash(r: AuditRecord): string {
  return sm3Hex(`${r.prevHash}\n${canonicalRecord(r)}`);
}

export type ChainProblem =
  | "hash mismatch"
  | "broken link"
  | "sequence gap"
  /** The chain no longer holds the head hash a checkpoint sealed: re-written, or cut off after it. */
  | "checkpoint mismatch"
  /** A checkpoint whose signature is not the audit key's, or that does not link to the one before. */
  | "checkpoint forged";

/** What a checkpoint's signature covers: the chain's head, when and why, the key and the checkpoint before. */
export type CheckpointDoc = Readonly<{
  headSeq: number;
  headHash: string;
  at: string;
  reason: string;
  keyId: string;
  prevSignature: string;
}>;

/** Why a checkpoint was written. */
export const CHECKPOINT_REASONS = ["interval", "shutdown", "manual"] as const;

/** The state of a verification walking the chain in sequence order. */
export type ChainCursor = { expectedSeq: number; prevHash: string; checked: number };

export const chainStart = (): ChainCursor => ({ expectedSeq: 1, prevHash: GENESIS_HASH, checked: 0 });

/**
 * Checks the next record against the cursor (sequence continuous, link to the previous hash, own hash);
 * returns the problem, or undefined and advances the cursor.
 */
export function checkNext(
  cursor: ChainCursor,
  record: AuditRecord,
  storedHash: string,
): ChainProblem | undefined {
  if (record.seq !== cursor.expectedSeq) return "sequence gap";
  if (record.prevHash !== cursor.prevHash) return "broken link";
  if (recordHash(record) !== storedHash) return "hash mismatch";
  cursor.expectedSeq += 1;
  cursor.prevHash = storedHash;
  cursor.checked += 1;
  return undefined;
}

export { canonicalJson };
