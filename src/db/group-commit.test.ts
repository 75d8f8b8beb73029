import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql, type Transaction } from "kysely";
import { createTestDb, forEachDialect } from "../../test/db.ts";
import type { Db } from "./database.ts";
import { createBatchGroupCommit, createGroupCommit, type Outcome, RowsBusy } from "./group-commit.ts";
import type { Database } from "./schema.ts";

type Unit = (trx: Transaction<Database>) => Promise<unknown>;

/** A group commit whose units are functions, each run in the batch's transaction in turn. */
const unitsOf = (options: Omit<Parameters<typeof createBatchGroupCommit<Unit, unknown>>[0], "apply">) =>
  createBatchGroupCommit<Unit, unknown>({
    ...options,
    async apply(trx, runs) {
      const outcomes: Outcome<unknown>[] = [];
      for (const run of runs) outcomes.push({ ok: true, value: await run(trx) });
      return outcomes;
    },
  });

forEachDialect("group commit of units of work", (dialect) => {
  let database: Db;
  before(async () => {
    database = await createTestDb(dialect);
    await sql`create table gc_units (id integer primary key, batch text not null)`.execute(database.db);
    await sql`create table gc_log (id integer primary key)`.execute(database.db);
  });
  after(() => database.close());

  it("commits the units that arrive together in one transaction; a failing unit is rolled back alone", async () => {
    const units = unitsOf({ db: database.db });
    const rows = () =>
      sql<{ id: number }>`select id from gc_units order by id`
        .execute(database.db)
        .then((r) => r.rows.map((x) => Number(x.id)));
    const transactions = new Set<unknown>();
    const insert = (id: number) =>
      units.execute(async (trx) => {
        transactions.add(trx);
        await sql`insert into gc_units (id, batch) values (${id}, ${"b"})`.execute(trx);
        return id;
      });
    const outcomes = await Promise.allSettled([
      ...[1, 2, 3, 4, 5].map(insert),
      insert(3), // the same key again: a unique violation, rolled back to its savepoint alone
      units.execute(async (trx) => {
        await sql`insert into gc_units (id, batch) values (${6}, ${"b"})`.execute(trx);
        throw new Error("refused after writing");
      }),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["fulfilled", "fulfilled", "fulfilled", "fulfilled", "fulfilled", "rejected", "rejected"],
    );
    assert.equal((outcomes[6] as PromiseRejectedResult).reason.message, "refused after writing");
    assert.deepEqual(await rows(), [1, 2, 3, 4, 5], "the refused unit's row is gone, the others are kept");
    assert.equal(transactions.size, 1, "the six inserting units ran in one transaction");
  });

  it("units handed in by separate callbacks of one turn of the event loop share one transaction", async () => {
    // Requests are read from their sockets in separate callbacks; a batch begun at the first one's
    // unit (before the others could queue theirs) would carry one settlement per commit.
    const units = unitsOf({ db: database.db });
    const transactions = new Set<unknown>();
    await Promise.all(
      Array.from(
        { length: 10 },
        () =>
          new Promise((resolve, reject) =>
            setImmediate(() =>
              units
                .execute(async (trx) => {
                  transactions.add(trx);
                })
                .then(resolve, reject),
            ),
          ),
      ),
    );
    assert.equal(transactions.size, 1, "one transaction, one durable commit for the ten");
  });

  it("a whole batch is applied at once; a unit whose rows are held elsewhere goes to a later batch", async () => {
    const batches: string[][] = [];
    let held = true; // "b"'s rows are held by another transaction during the first batch
    const units = createBatchGroupCommit<string, string>({
      db: database.db,
      async apply(trx, inputs) {
        batches.push([...inputs]);
        const outcomes = inputs.map((x) =>
          x === "b" && held ? { ok: false as const, error: new RowsBusy() } : { ok: true as const, value: x },
        );
        held = false;
        await sql`insert into gc_units (id, batch) values (${200 + batches.length}, ${"busy"})`.execute(trx);
        return outcomes;
      },
    });
    const answers = await Promise.all(["c", "a", "b"].map((x) => units.execute(x)));
    assert.deepEqual(answers, ["c", "a", "b"], "each caller gets its own unit's value, b's after its retry");
    assert.deepEqual(
      batches,
      [["c", "a", "b"], ["b"]],
      "one apply for the three (as they arrived), then b alone",
    );
  });

  it("a unit whose rows stay held longer than the limit gets RowsBusy (answered as 503)", async () => {
    let tries = 0;
    const units = createBatchGroupCommit<string, string>({
      db: database.db,
      busyLimitMs: 30,
      async apply(_trx, inputs) {
        tries++;
        return inputs.map(() => ({ ok: false as const, error: new RowsBusy() }));
      },
    });
    const started = Date.now();
    await assert.rejects(units.execute("x"), (err) => err instanceof RowsBusy);
    const waited = Date.now() - started;
    assert.ok(waited >= 30 && waited < 2_000, `tried until the limit of 30 ms, not longer (${waited} ms)`);
    assert.ok(tries > 1, "tried again in later batches first");
  });

  it("a batch carries the waiting log rows in its own transaction; a batch that fails gives them back", {
    timeout: 10_000,
  }, async () => {
    const logged = () =>
      sql<{ id: number }>`select id from gc_log order by id`
        .execute(database.db)
        .then((r) => r.rows.map((x) => Number(x.id)));
    const log = createGroupCommit<number>({
      db: database.db,
      maxDelayMs: 60_000, // never on its own during this test
      async write(trx, ids) {
        for (const id of ids) await sql`insert into gc_log (id) values (${id})`.execute(trx);
      },
    });
    const units = unitsOf({
      db: database.db,
      carries: [log],
      // Fails the whole batch (after the log rows were written in it) when a unit fails.
      afterRollback() {
        throw new Error("batch refused");
      },
    });
    log.enqueue(1);
    log.enqueue(2);
    await units.execute(async (trx) => {
      await sql`insert into gc_units (id, batch) values (${10}, ${"carrier"})`.execute(trx);
    });
    assert.deepEqual(await logged(), [1, 2], "committed with the unit, long before the log's own delay");

    log.enqueue(3);
    await assert.rejects(
      units.execute(async (trx) => {
        const inBatch = await sql<{ id: number }>`select id from gc_log order by id`.execute(trx);
        assert.deepEqual(
          inBatch.rows.map((r) => Number(r.id)),
          [1, 2, 3],
          "the waiting row is written in the batch",
        );
        throw new Error("unit refused");
      }),
      /batch refused/,
    );
    assert.deepEqual(await logged(), [1, 2], "the failed batch wrote nothing");
    // Raced against a timer: a row never given back would leave flush() waiting for ever.
    await Promise.race([
      log.flush(),
      sleep(5_000).then(() => assert.fail("flush() still waits for the failed batch's rows")),
    ]);
    assert.deepEqual(await logged(), [1, 2, 3], "the row given back is written by the log itself");
  });
});
