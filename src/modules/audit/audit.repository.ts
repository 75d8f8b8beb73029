import { type Kysely, sql, type Transaction } from "kysely";
import { missingAppendOnlyTriggers, restoreAppendOnlyTriggers } from "../../db/append-only.ts";
import type { Dialect } from "../../db/database.ts";
import { preparedFirst, preparedInsert } from "../../db/prepared.ts";
import type { AuditCheckpointRow, AuditRow, Database } from "../../db/schema.ts";

// Any constant: the advisory lock that makes PostgreSQL appends take turns at the head of the chain.
const AUDIT_LOCK_KEY = 0x55c4_a0d1;

/** SQL for the audit log: the chain head, appends, and reads in sequence order. */
/** What a reader asks the audit log for (newest first, before a sequence number, at most `limit`). */
export type AuditFilter = {
  subjectType?: string;
  subjectId?: string;
  actorId?: string;
  /** An action (`card.issue`), or every action of a family (`card.`). */
  action?: string;
  /** ISO times: from (inclusive) and to (exclusive). */
  from?: string;
  to?: string;
  /** The area-code prefixes the reader covers (set by the service from the reader's grants). */
  areaCodes?: string[];
  beforeSeq?: number;
  limit: number;
};

export function createAuditRepository(dialect: Dialect) {
  const head = preparedFirst((q) =>
    q.selectFrom("audit_log").select(["seq", "hash"]).orderBy("seq", "desc").limit(1),
  );
  return {
    /**
     * Takes the append lock for this transaction and returns the chain head. On SQLite the
     * transaction's BEGIN IMMEDIATE already holds the only write lock.
     */
    async lockHead(trx: Transaction<Database>): Promise<{ seq: number; hash: string } | undefined> {
      if (dialect === "postgres") await sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`.execute(trx);
      const row = await head(trx);
      return row ? { seq: Number(row.seq), hash: row.hash } : undefined;
    },

    insert: preparedInsert("audit_log", [
      "seq",
      "at",
      "actor_type",
      "actor_id",
      "actor_role",
      "channel",
      "action",
      "subject_type",
      "subject_id",
      "area_code",
      "before",
      "after",
      "prev_hash",
      "hash",
    ]),

    /** The append-only triggers that are missing or switched off. */
    missingTriggers: (db: Kysely<Database>) => missingAppendOnlyTriggers(db, dialect),
    /** Puts the missing append-only triggers back; returns their names. */
    restoreTriggers: (db: Kysely<Database>) => restoreAppendOnlyTriggers(db, dialect),

    /** The newest checkpoint, read in the transaction that holds the chain's append lock. */
    lastCheckpoint: (trx: Transaction<Database>) =>
      trx.selectFrom("audit_checkpoints").selectAll().orderBy("head_seq", "desc").limit(1).executeTakeFirst(),

    insertCheckpoint: (trx: Transaction<Database>, row: AuditCheckpointRow) =>
      trx.insertInto("audit_checkpoints").values(row).execute(),

    /** Every checkpoint, oldest first. */
    async checkpoints(db: Kysely<Database>): Promise<AuditCheckpointRow[]> {
      const rows = await db.selectFrom("audit_checkpoints").selectAll().orderBy("head_seq").execute();
      return rows.map((r) => ({ ...r, head_seq: Number(r.head_seq) }));
    },

    /** Records from `afterSeq` on, in sequence order, `limit` at a time. */
    async page(db: Kysely<Database>, afterSeq: number, limit: number): Promise<AuditRow[]> {
      const rows = await db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">", afterSeq)
        .orderBy("seq")
        .limit(limit)
        .execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },

    async list(db: Kysely<Database>, filter: AuditFilter): Promise<AuditRow[]> {
      let q = db.selectFrom("audit_log").selectAll().orderBy("seq", "desc").limit(filter.limit);
      if (filter.subjectType) q = q.where("subject_type", "=", filter.subjectType);
      if (filter.subjectId) q = q.where("subject_id", "=", filter.subjectId);
      if (filter.actorId) q = q.where("actor_id", "=", filter.actorId);
      if (filter.action?.endsWith("."))
        q = q.where("action", "like", `${filter.action.replace(/[%_\\]/g, "")}%`);
      else if (filter.action) q = q.where("action", "=", filter.action);
      if (filter.from) q = q.where("at", ">=", filter.from);
      if (filter.to) q = q.where("at", "<", filter.to);
      if (filter.beforeSeq) q = q.where("seq", "<", filter.beforeSeq);
      if (filter.areaCodes) {
        const prefixes = filter.areaCodes;
        q = q.where((eb) => eb.or(prefixes.map((p) => eb("area_code", "like", `${p}%`))));
      }
      const rows = await q.execute();
      return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
    },
  };
}

export type AuditRepository = ReturnType<typeof createAuditRepository>;
