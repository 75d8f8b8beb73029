import type { Kysely, Transaction } from "kysely";
import type { AuditRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, coveredPrefixes, type Grant } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { PERMISSIONS } from "../../shared/permissions.ts";
import type { AuditRepository } from "./audit.repository.ts";
import {
  type AuditRecord,
  type ChainProblem,
  canonicalJson,
  chainStart,
  checkNext,
  GENESIS_HASH,
  recordHash,
} from "./audit.rules.ts";

/** Who may read and verify the audit log. */
/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const AUDIT_PERMISSIONS = PERMISSIONS.audit;

/** What a service says about a change; summaries must hold no personal data in clear. */
export type AuditEntry = Readonly<{
  action: string;
  subjectType: string;
  subjectId: string;
  areaCode?: string | null;
  before?: unknown;
  after?: unknown;
}>;

export type VerifyResult =
  | { ok: true; checked: number; headSeq: number; headHash: string }
  | { ok: false; checked: number; seq: number; problem: ChainProblem | "anchor mismatch" };

function toRecord(row: AuditRow): AuditRecord {
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
export function createAuditService(deps: { db: Kysely<Database>; audit: AuditRepository; clock: Clock }) {
  const { db, audit, clock } = deps;
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

    /**
     * Walks the whole chain in order and reports the first bad record. With an anchor (a head seq and
     * hash published earlier) it also catches records cut off the end.
     */
    async verify(
      options: { anchor?: { seq: number; hash: string }; pageSize?: number } = {},
    ): Promise<VerifyResult> {
      const cursor = chainStart();
      const pageSize = options.pageSize ?? 5000;
      let last = 0;
      for (;;) {
        const rows = await audit.page(db, last, pageSize);
        for (const row of rows) {
          const problem = checkNext(cursor, toRecord(row), row.hash);
          if (problem) return { ok: false, checked: cursor.checked, seq: row.seq, problem };
          if (options.anchor && row.seq === options.anchor.seq && row.hash !== options.anchor.hash) {
            return { ok: false, checked: cursor.checked, seq: row.seq, problem: "anchor mismatch" };
          }
        }
        if (rows.length < pageSize) break;
        last = rows[rows.length - 1].seq;
      }
      const headSeq = cursor.expectedSeq - 1;
      if (options.anchor && options.anchor.seq > headSeq) {
        return { ok: false, checked: cursor.checked, seq: options.anchor.seq, problem: "anchor mismatch" };
      }
      return { ok: true, checked: cursor.checked, headSeq, headHash: cursor.prevHash };
    },

    /** Recent records, newest first, limited to the areas the reader's grants cover. */
    async list(
      actor: Actor,
      filter: { subjectType?: string; subjectId?: string; beforeSeq?: number; limit: number },
    ) {
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
