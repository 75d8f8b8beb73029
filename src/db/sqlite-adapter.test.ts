import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "kysely";
import { createDb, type Db } from "./database.ts";

describe("the node:sqlite driver: a reader, and a writer that waits without blocking", () => {
  const dir = mkdtempSync(join(tmpdir(), "sscard-adapter-"));
  const file = join(dir, "adapter.db");
  let database: Db;
  const ids = async () =>
    (await sql<{ id: number }>`select id from t order by id`.execute(database.db)).rows.map((r) => r.id);

  before(async () => {
    database = createDb(`sqlite:${file}`);
    await sql`create table t (id integer primary key)`.execute(database.db);
  });
  after(async () => {
    await database.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads outside a transaction do not wait for this process's open transaction and see only what is committed", async () => {
    await database.db.transaction().execute(async (trx) => {
      await sql`insert into t (id) values (1)`.execute(trx);
      assert.deepEqual(await ids(), [], "the uncommitted row is not seen outside");
      const inside = await sql<{ id: number }>`select id from t`.execute(trx);
      assert.deepEqual(
        inside.rows.map((r) => r.id),
        [1],
      );
    });
    assert.deepEqual(await ids(), [1]);
  });

  it("a write waits for another process's write transaction while this process's event loop runs on", async () => {
    const other = new DatabaseSync(file);
    other.exec("BEGIN IMMEDIATE; INSERT INTO t (id) VALUES (2)");
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 1);
    let single = false;
    let inTransaction = false;
    const write = sql`insert into t (id) values (3)`.execute(database.db).then(() => (single = true));
    const transaction = database.db
      .transaction()
      .execute((trx) => sql`insert into t (id) values (4)`.execute(trx))
      .then(() => (inTransaction = true));
    try {
      await sleep(100);
      assert.equal(
        single || inTransaction,
        false,
        "nothing is written while the other process holds the lock",
      );
      assert.ok(ticks >= 20, `the event loop ran on while waiting (${ticks} ticks in 100 ms)`);
      assert.deepEqual(await ids(), [1], "reads go on meanwhile");
      other.exec("COMMIT");
      await Promise.all([write, transaction]);
    } finally {
      clearInterval(ticker);
      if (other.isTransaction) other.exec("ROLLBACK");
      other.close();
    }
    assert.deepEqual(await ids(), [1, 2, 3, 4]);
  });

  it("an in-memory database has one connection: its reads see its writes", async () => {
    const memory = createDb("sqlite::memory:");
    try {
      await sql`create table m (id integer primary key)`.execute(memory.db);
      await memory.db.transaction().execute((trx) => sql`insert into m (id) values (7)`.execute(trx));
      const rows = await sql<{ id: number }>`select id from m`.execute(memory.db);
      assert.deepEqual(
        rows.rows.map((r) => r.id),
        [7],
      );
    } finally {
      await memory.close();
    }
  });
});
