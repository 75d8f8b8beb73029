import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import type { AuditCheckpointRow, AuditRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, coveredPrefixes, type Grant, SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { type Signer, SM2_USER_ID, verifySigned } from "../../shared/signed.ts";
import { AUDIT_PERMISSIONS } from "./audit.permissions.ts";
import type { AuditFilter, AuditRepository } from "./audit.repository.ts";
import {
  type AuditRecord,
  type CHECKPOINT_REASONS,
  type ChainProblem,
  type CheckpointDoc,
  canonicalJson,
  chainStart,
  checkNext,
  GENESIS_HASH,
  recordHash,
} from "./audit.rules.ts";

/** Who may read and verify the audit log. */
export { AUDIT_PERMISSIONS };

/** What a service says about a change; summaries must hold no personal data in clear. */
export type AuditEntry = Readonly<{
  action: string;
  subjectType: string;
  subjectId: string;
  areaCode?: string | null;
  before?: unknown;
  after?: unknown;
}>;

/** How much of the chain signed checkpoints seal: up to `sealedSeq`, and how many records follow it. */
export type Sealing = {
  checkpoints: number;
  sealedSeq: number;
  unsealed: number;
  lastCheckpointAt: string | null;
};

export type VerifyResult =
  | ({ ok: true; checked: number; headSeq: number; headHash: string } & Sealing)
  | { ok: false; checked: number; seq: number; problem: ChainProblem | "anchor mismatch" };

/** The audit key's identifier: the first 16 hex digits of the SM3 hash of its public key. */
export const auditKeyId = (publicKey: string) =>
  createHash("sm3").update(publicKey).digest("hex").slice(0, 16);

const checkpointDoc = (row: AuditCheckpointRow): CheckpointDoc => ({
  headSeq: Number(row.head_seq),
  headHash: row.head_hash,
  at: row.at,
  reason: row.reason,
  keyId: row.key_id,
  prevSignature: row.prev_signature,
});

/** A stored row as the record its hash covers. */
export function toRecord(row: AuditRow): AuditRecord {
  return {
    seq: row.seq,
    at: row.at,
    actorType: row.actor_type,
    actorId: row.actor_id,
    actorRole: row.actor_role,
    channel: row.channel,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    areaCode: row.area_code,
    before: row.before,
    after: row.after,
    prevHash: row.prev_hash,
  };
}

/** Appends hash-chained audit records inside the caller's transaction, verifies and lists the chain. */
export function createAuditService(deps: {
  db: Kysely<Database>;
  audit: AuditRepository;
  clock: Clock;
  /**
   * The encryption machine's audit key: it signs checkpoints of the chain's head, and its public key
   * (from configuration, never from the database) is what verification trusts.
   */
  sealer: Signer;
}) {
  const { db, audit, clock, sealer } = deps;
  const keyId = auditKeyId(sealer.publicKey);

  /** Whether a checkpoint was signed by the audit key and links to the one before it. */
  function genuine(row: AuditCheckpointRow, previous: AuditCheckpointRow | undefined): boolean {
    if (row.key_id !== keyId || row.prev_signature !== (previous?.signature ?? "")) return false;
    const signed = {
      ...checkpointDoc(row),
      signature: row.signature,
      publicKey: sealer.publicKey,
      userId: SM2_USER_ID,
      algorithm: "SM2-SM3" as const,
    };
    try {
      return verifySigned(signed, sealer.publicKey);
    } catch {
      return false;
    }
  }
  const heads = new WeakMap<Transaction<Database>, { seq: number; hash: string }>();

  /**
   * Appends records in the transaction of the changes they describe, in order, with one insert (a
   * batch of settlements). The chain's append lock is taken at the first record of the transaction
   * and held until it ends (PostgreSQL; SQLite's write transaction already holds it).
   */
  async function recordMany(
    trx: Transaction<Database>,
    records: readonly { actor: Actor; grant: Grant | undefined; entry: AuditEntry }[],
  ): Promise<{ seq: number; hash: string }[]> {
    if (records.length === 0) return [];
    // The head is read once per transaction: the lock taken then is held until it ends.
    let head = heads.get(trx) ?? (await audit.lockHead(trx));
    const at = clock.now().toISOString();
    const rows: AuditRow[] = records.map(({ actor, grant, entry }) => {
      const record: AuditRecord = {
        seq: (head?.seq ?? 0) + 1,
        at,
        actorType: actor.type,
        actorId: actor.id,
        actorRole: grant?.role ?? actor.grants[0]?.role ?? "none",
        channel: actor.channel,
        action: entry.action,
        subjectType: entry.subjectType,
        subjectId: entry.subjectId,
        areaCode: entry.areaCode ?? null,
        before: entry.before === undefined ? null : canonicalJson(entry.before),
        after: entry.after === undefined ? null : canonicalJson(entry.after),
        prevHash: head?.hash ?? GENESIS_HASH,
      };
      const hash = recordHash(record);
      head = { seq: record.seq, hash };
      return {
        seq: record.seq,
        at: record.at,
        actor_type: record.actorType,
        actor_id: record.actorId,
        actor_role: record.actorRole,
        channel: record.channel,
        action: record.action,
        subject_type: record.subjectType,
        subject_id: record.subjectId,
        area_code: record.areaCode,
        before: record.before,
        after: record.after,
        prev_hash: record.prevHash,
        hash,
      };
    });
    await audit.insert(trx, rows);
    heads.set(trx, head!);
    return rows.map((r) => ({ seq: r.seq, hash: r.hash }));
  }

  return {
    /** After a savepoint of `trx` was rolled back: the head is read again at the next record. */
    forgetHead(trx: Transaction<Database>) {
      heads.delete(trx);
    },

    /** Appends one record in the transaction of the change it describes. */
    async record(trx: Transaction<Database>, actor: Actor, grant: Grant | undefined, entry: AuditEntry) {
      return (await recordMany(trx, [{ actor, grant, entry }]))[0];
    },

    recordMany,

    /** The append-only triggers missing or switched off right now (readiness). */
    missingTriggers: () => audit.missingTriggers(db),

    /**
     * At start-up: puts back any append-only trigger someone dropped or switched off, and records
     * that it did (an audit record naming them). Returns the names restored.
     */
    async guardAppendOnly(): Promise<string[]> {
      const restored = await audit.restoreTriggers(db);
      if (restored.length)
        await db.transaction().execute((trx) =>
          this.record(trx, SYSTEM_ACTOR, undefined, {
            action: "audit.append_only_restored",
            subjectType: "audit_log",
            subjectId: "triggers",
            after: { restored },
          }),
        );
      return restored;
    },

    /**
     * Seals the chain up to its head with a checkpoint signed by the audit key (at an interval, at
     * shutdown, on request). Nothing is written when the head has not moved since the last one.
     */
    async checkpoint(reason: (typeof CHECKPOINT_REASONS)[number]) {
      return db.transaction().execute(async (trx) => {
        const head = await audit.lockHead(trx);
        const last = await audit.lastCheckpoint(trx);
        if (!head || (last && Number(last.head_seq) >= head.seq)) return undefined;
        const doc: CheckpointDoc = {
          headSeq: head.seq,
          headHash: head.hash,
          at: clock.now().toISOString(),
          reason,
          keyId,
          prevSignature: last?.signature ?? "",
        };
        const { signature } = sealer.sign(doc);
        await audit.insertCheckpoint(trx, {
          head_seq: doc.headSeq,
          head_hash: doc.headHash,
          at: doc.at,
          reason: doc.reason,
          key_id: doc.keyId,
          prev_signature: doc.prevSignature,
          signature,
        });
        return doc;
      });
    },

    /**
     * Walks the whole chain in order and reports the first bad record. Signed checkpoints catch a
     * chain re-written with fresh hashes: where the chain no longer holds a checkpoint's head, the
     * answer names the first record after the last checkpoint that still holds. With an anchor (a head
     * seq and hash published earlier) it also catches records cut off after the last checkpoint.
     */
    async verify(
      options: { anchor?: { seq: number; hash: string }; pageSize?: number } = {},
    ): Promise<VerifyResult> {
      const cursor = chainStart();
      const pageSize = options.pageSize ?? 5000;
      const checkpoints = await audit.checkpoints(db);
      // The first record not sealed by a checkpoint that was genuine and matched so far.
      let firstUnsealed = 1;
      for (let k = 0; k < checkpoints.length; k++) {
        if (!genuine(checkpoints[k], checkpoints[k - 1])) {
          const seq = k === 0 ? 1 : Number(checkpoints[k - 1].head_seq) + 1;
          return { ok: false, checked: 0, seq, problem: "checkpoint forged" };
        }
      }
      let next = 0;
      let last = 0;
      for (;;) {
        const rows = await audit.page(db, last, pageSize);
        for (const row of rows) {
          const problem = checkNext(cursor, toRecord(row), row.hash);
          if (problem) return { ok: false, checked: cursor.checked, seq: row.seq, problem };
          if (next < checkpoints.length && row.seq === Number(checkpoints[next].head_seq)) {
            if (row.hash !== checkpoints[next].head_hash)
              return {
                ok: false,
                checked: cursor.checked,
                seq: firstUnsealed,
                problem: "checkpoint mismatch",
              };
            firstUnsealed = row.seq + 1;
            next++;
          }
          if (options.anchor && row.seq === options.anchor.seq && row.hash !== options.anchor.hash) {
            return { ok: false, checked: cursor.checked, seq: row.seq, problem: "anchor mismatch" };
          }
        }
        if (rows.length < pageSize) break;
        last = rows[rows.length - 1].seq;
      }
      const headSeq = cursor.expectedSeq - 1;
      // A checkpoint beyond the head: records it sealed were cut off the end.
      if (next < checkpoints.length)
        return { ok: false, checked: cursor.checked, seq: firstUnsealed, problem: "checkpoint mismatch" };
      if (options.anchor && options.anchor.seq > headSeq) {
        return { ok: false, checked: cursor.checked, seq: options.anchor.seq, problem: "anchor mismatch" };
      }
      return {
        ok: true,
        checked: cursor.checked,
        headSeq,
        headHash: cursor.prevHash,
        checkpoints: checkpoints.length,
        sealedSeq: firstUnsealed - 1,
        unsealed: headSeq - (firstUnsealed - 1),
        lastCheckpointAt: checkpoints.at(-1)?.at ?? null,
      };
    },

    /** Recent records, newest first, limited to the areas the reader's grants cover. */
    async list(actor: Actor, filter: Omit<AuditFilter, "areaCodes">) {
      authorize(actor, AUDIT_PERMISSIONS.read);
      return audit.list(db, { ...filter, areaCodes: coveredPrefixes(actor, AUDIT_PERMISSIONS.read) });
    },

    async verifyAs(actor: Actor, anchor?: { seq: number; hash: string }): Promise<VerifyResult> {
      authorize(actor, AUDIT_PERMISSIONS.verify);
      return this.verify({ anchor });
    },
  };
}

export type AuditService = ReturnType<typeof createAuditService>;
