import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import { sql } from "kysely";
import { forEachDialect } from "../../../test/db.ts";
import { createTestDeps } from "../../../test/fixtures.ts";
import type { Dialect } from "../../db/database.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { createSm2Signer } from "../keys/signer.ts";
import { recordHash } from "./audit.rules.ts";
import { toRecord } from "./audit.service.ts";

async function appendMany(deps: Awaited<ReturnType<typeof createTestDeps>>["deps"], n: number) {
  const { db } = deps.database;
  for (let i = 0; i < n; i++) {
    await db.transaction().execute((trx) =>
      deps.audit.record(trx, SYSTEM_ACTOR, undefined, {
        action: "test.event",
        subjectType: "test",
        subjectId: `s${i}`,
        after: { i },
      }),
    );
  }
}

/** What an attacker with database access does: get past the append-only triggers first. */
async function withTriggersOff(
  dialect: Dialect,
  deps: Awaited<ReturnType<typeof createTestDeps>>["deps"],
  fn: () => Promise<unknown>,
) {
  const { db } = deps.database;
  if (dialect === "sqlite") {
    await sql`drop trigger audit_log_no_update`.execute(db);
    await sql`drop trigger audit_log_no_delete`.execute(db);
    await fn();
  } else {
    await sql`alter table audit_log disable trigger user`.execute(db);
    await fn();
  }
}

forEachDialect("audit log", (dialect) => {
  let t: Awaited<ReturnType<typeof createTestDeps>>;
  before(async () => {
    t = await createTestDeps(dialect);
  });
  after(async () => t.database.close());

  it("chains records with SM3 and verifies the whole chain", async () => {
    const { deps } = t;
    // The first migration's data carries no audit record; every record here is ours.
    await appendMany(deps, 25);
    const result = await deps.audit.verify({ pageSize: 7 });
    assert.equal(result.ok, true);
    assert.equal(result.checked, 25);
    const rows = await deps.database.db.selectFrom("audit_log").selectAll().orderBy("seq").execute();
    assert.equal(rows[0].prev_hash, "0".repeat(64));
    assert.equal(rows[1].prev_hash, rows[0].hash);
    assert.match(rows[0].hash, /^[0-9a-f]{64}$/);
  });

  it("refuses UPDATE and DELETE in the database itself", async () => {
    const { db } = t.deps.database;
    await assert.rejects(sql`update audit_log set action = 'x' where seq = 1`.execute(db), /append-only/);
    await assert.rejects(sql`delete from audit_log where seq = 1`.execute(db), /append-only/);
  });

  it("rolls the audit record back with the change it describes", async () => {
    const { db } = t.deps.database;
    const before = await db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        await t.deps.audit.record(trx, SYSTEM_ACTOR, undefined, {
          action: "x",
          subjectType: "t",
          subjectId: "1",
        });
        throw new Error("the change failed");
      }),
    );
    const afterCount = await db
      .selectFrom("audit_log")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(Number(afterCount.n), Number(before.n));
  });

  it("keeps one unbroken chain under 40 concurrent appends", async () => {
    const { deps } = t;
    const { db } = deps.database;
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        db.transaction().execute((trx) =>
          deps.audit.record(trx, SYSTEM_ACTOR, undefined, {
            action: "race",
            subjectType: "t",
            subjectId: String(i),
          }),
        ),
      ),
    );
    const result = await deps.audit.verify();
    assert.equal(result.ok, true);
    assert.equal(result.checked, 25 + 40);
  });

  it("lists records by actor, action or family of actions, and time, a page at a time", async () => {
    const { deps } = t;
    const { db } = deps.database;
    const at = (iso: string) =>
      db.transaction().execute((trx) =>
        deps.audit.record(trx, { ...SYSTEM_ACTOR, id: "filter-actor" }, undefined, {
          action: iso.endsWith("Z") ? "filter.early" : "filter.late",
          subjectType: "filter",
          subjectId: iso,
        }),
      );
    // Records at the clock's time; the time filter is checked against their stored times.
    await at("a.Z");
    await at("b");
    await at("c");
    const list = (f: object) => deps.audit.list(SYSTEM_ACTOR, { limit: 100, ...f });
    const mine = await list({ actorId: "filter-actor" });
    assert.deepEqual(
      mine.map((r) => r.action),
      ["filter.late", "filter.late", "filter.early"],
      "newest first",
    );
    assert.equal((await list({ action: "filter.late" })).length, 2);
    assert.equal((await list({ action: "filter." })).length, 3, "a family by its prefix");
    assert.equal((await list({ action: "filter%" })).length, 0, "no wildcard");
    const page = await list({ actorId: "filter-actor", limit: 2 });
    const next = await list({ actorId: "filter-actor", limit: 2, beforeSeq: page[1].seq });
    assert.deepEqual(
      [...page, ...next].map((r) => r.seq),
      mine.map((r) => r.seq),
      "pages follow each other",
    );
    const time = mine[0].at;
    assert.equal((await list({ actorId: "filter-actor", from: time })).length >= 1, true);
    assert.equal((await list({ actorId: "filter-actor", to: mine[2].at })).length, 0, "to is exclusive");
  });
});

forEachDialect("audit log tampering", (dialect) => {
  const cases: {
    name: string;
    tamper: (db: Awaited<ReturnType<typeof createTestDeps>>["deps"]["database"]["db"]) => Promise<unknown>;
    seq: number;
    problem: string;
  }[] = [
    {
      name: "an edited record",
      tamper: (db) => sql`update audit_log set after = '{"i":999}' where seq = 5`.execute(db),
      seq: 5,
      problem: "hash mismatch",
    },
    {
      name: "an edited record whose hash was recomputed",
      tamper: async (db) => {
        // Changing a record and writing a fresh hash for it breaks the next record's link.
        await sql`update audit_log set after = '{"i":999}', hash = ${"f".repeat(64)} where seq = 5`.execute(
          db,
        );
      },
      seq: 5,
      problem: "hash mismatch",
    },
    {
      name: "a deleted record",
      tamper: (db) => sql`delete from audit_log where seq = 4`.execute(db),
      seq: 5,
      problem: "sequence gap",
    },
    {
      name: "two records swapped",
      tamper: async (db) => {
        await sql`update audit_log set seq = -1 where seq = 3`.execute(db);
        await sql`update audit_log set seq = 3 where seq = 6`.execute(db);
        await sql`update audit_log set seq = 6 where seq = -1`.execute(db);
      },
      seq: 3,
      problem: "broken link",
    },
  ];
  for (const c of cases) {
    it(`catches ${c.name}`, async () => {
      const t = await createTestDeps(dialect);
      try {
        await appendMany(t.deps, 8);
        assert.equal((await t.deps.audit.verify()).ok, true);
        await withTriggersOff(dialect, t.deps, () => c.tamper(t.database.db));
        const result = await t.deps.audit.verify();
        assert.deepEqual(
          {
            ok: result.ok,
            seq: "seq" in result ? result.seq : 0,
            problem: "problem" in result ? result.problem : "",
          },
          { ok: false, seq: c.seq, problem: c.problem },
        );
      } finally {
        await t.database.close();
      }
    });
  }

  it("catches records cut off the end against a published anchor", async () => {
    const t = await createTestDeps(dialect);
    try {
      await appendMany(t.deps, 6);
      const head = await t.deps.audit.verify();
      assert.ok(head.ok);
      const anchor = { seq: head.headSeq, hash: head.headHash };
      await withTriggersOff(dialect, t.deps, () =>
        sql`delete from audit_log where seq >= 5`.execute(t.database.db),
      );
      assert.equal(
        (await t.deps.audit.verify()).ok,
        true,
        "without an anchor a cut tail is a shorter valid chain",
      );
      const result = await t.deps.audit.verify({ anchor });
      assert.equal(result.ok, false);
      assert.equal("problem" in result && result.problem, "anchor mismatch");
    } finally {
      await t.database.close();
    }
  });
});

forEachDialect("audit checkpoints", (dialect) => {
  type T = Awaited<ReturnType<typeof createTestDeps>>;
  /** What an attacker holding the database does: edit a record and recompute every later hash. */
  async function rechainFrom(t: T, seq: number, edit: string) {
    const { db } = t.deps.database;
    await withTriggersOff(dialect, t.deps, async () => {
      await sql`update audit_log set after = ${edit} where seq = ${seq}`.execute(db);
      const rows = await db
        .selectFrom("audit_log")
        .selectAll()
        .where("seq", ">=", seq)
        .orderBy("seq")
        .execute();
      let prev = (
        await db
          .selectFrom("audit_log")
          .select("hash")
          .where("seq", "=", seq - 1)
          .executeTakeFirstOrThrow()
      ).hash;
      for (const r of rows) {
        const hash = recordHash({ ...toRecord({ ...r, seq: Number(r.seq) }), prevHash: prev });
        await sql`update audit_log set prev_hash = ${prev}, hash = ${hash} where seq = ${r.seq}`.execute(db);
        prev = hash;
      }
    });
  }
  /** What verification concluded, in one comparable shape. */
  const outcome = (result: Awaited<ReturnType<T["deps"]["audit"]["verify"]>>) => ({
    ok: result.ok,
    seq: "seq" in result ? result.seq : 0,
    problem: "problem" in result ? result.problem : "",
  });
  /** 4 records, a checkpoint, 4 more, a checkpoint, 3 unsealed. */
  async function sealedChain() {
    const t = await createTestDeps(dialect);
    await appendMany(t.deps, 4);
    assert.equal((await t.deps.audit.checkpoint("interval"))?.headSeq, 4);
    await appendMany(t.deps, 4);
    assert.equal((await t.deps.audit.checkpoint("shutdown"))?.headSeq, 8);
    assert.equal(await t.deps.audit.checkpoint("interval"), undefined, "nothing new to seal");
    await appendMany(t.deps, 3);
    return t;
  }

  it("seals the chain with signed checkpoints and says how much is sealed", async () => {
    const t = await sealedChain();
    try {
      const result = await t.deps.audit.verify();
      assert.deepEqual(result.ok && [result.checkpoints, result.sealedSeq, result.unsealed], [2, 8, 3]);
      const rows = await t.database.db
        .selectFrom("audit_checkpoints")
        .selectAll()
        .orderBy("head_seq")
        .execute();
      assert.equal(rows[1].prev_signature, rows[0].signature, "each checkpoint links to the one before");
      assert.match(rows[0].signature, /^[0-9a-f]{128}$/);
      await assert.rejects(
        sql`update audit_checkpoints set head_hash = 'x'`.execute(t.database.db),
        /append-only/,
      );
    } finally {
      await t.database.close();
    }
  });

  it("catches a chain re-written with fresh hashes, naming the first record after the last checkpoint that holds", async () => {
    const t = await sealedChain();
    try {
      await rechainFrom(t, 6, '{"i":999}');
      assert.deepEqual(outcome(await t.deps.audit.verify()), {
        ok: false,
        seq: 5,
        problem: "checkpoint mismatch",
      });
    } finally {
      await t.database.close();
    }
  });

  it("catches a re-written chain whose checkpoints were signed again without the audit key", async () => {
    const t = await sealedChain();
    try {
      await rechainFrom(t, 2, '{"i":999}');
      // The attacker seals the re-written chain with a real SM2 signature of a key of their own,
      // copying the audit key's identifier and every other field a genuine checkpoint has.
      const { db } = t.deps.database;
      const [genuine] = await db.selectFrom("audit_checkpoints").selectAll().orderBy("head_seq").execute();
      const head = await db
        .selectFrom("audit_log")
        .select("hash")
        .where("seq", "=", 4)
        .executeTakeFirstOrThrow();
      const doc = {
        headSeq: 4,
        headHash: head.hash,
        at: genuine.at,
        reason: genuine.reason,
        keyId: genuine.key_id,
        prevSignature: "",
      };
      const { signature } = createSm2Signer(randomBytes(32)).sign(doc);
      await (dialect === "sqlite"
        ? sql`drop trigger audit_checkpoints_no_delete`
        : sql`alter table audit_checkpoints disable trigger user`
      ).execute(db);
      await sql`delete from audit_checkpoints`.execute(db);
      await sql`insert into audit_checkpoints (head_seq, head_hash, at, reason, key_id, prev_signature, signature)
        values (4, ${doc.headHash}, ${doc.at}, ${doc.reason}, ${doc.keyId}, '', ${signature})`.execute(db);
      assert.deepEqual(outcome(await t.deps.audit.verify()), {
        ok: false,
        seq: 1,
        problem: "checkpoint forged",
      });
    } finally {
      await t.database.close();
    }
  });

  it("catches sealed records cut off the end", async () => {
    const t = await sealedChain();
    try {
      await withTriggersOff(dialect, t.deps, () =>
        sql`delete from audit_log where seq >= 7`.execute(t.database.db),
      );
      assert.deepEqual(outcome(await t.deps.audit.verify()), {
        ok: false,
        seq: 5,
        problem: "checkpoint mismatch",
      });
    } finally {
      await t.database.close();
    }
  });

  it("puts back append-only triggers someone dropped or switched off, and records it", async () => {
    const t = await createTestDeps(dialect);
    try {
      const { db } = t.database;
      assert.deepEqual(await t.deps.audit.missingTriggers(), []);
      if (dialect === "sqlite") await sql`drop trigger audit_log_no_update`.execute(db);
      else await sql`alter table audit_log disable trigger audit_log_no_update`.execute(db);
      assert.deepEqual(await t.deps.audit.missingTriggers(), ["audit_log_no_update"]);
      assert.deepEqual(await t.deps.audit.guardAppendOnly(), ["audit_log_no_update"]);
      assert.deepEqual(await t.deps.audit.missingTriggers(), []);
      await assert.rejects(sql`update audit_log set action = 'x'`.execute(db), /append-only/);
      const last = await db
        .selectFrom("audit_log")
        .selectAll()
        .orderBy("seq", "desc")
        .limit(1)
        .executeTakeFirstOrThrow();
      assert.equal(last.action, "audit.append_only_restored");
      assert.deepEqual(JSON.parse(last.after!), { restored: ["audit_log_no_update"] });
      assert.deepEqual(await t.deps.audit.guardAppendOnly(), [], "nothing to restore, nothing recorded");
    } finally {
      await t.database.close();
    }
  });
});
