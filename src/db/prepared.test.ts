import assert from "node:assert/strict";
import { before, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type Kysely, sql } from "kysely";
import { forEachDialect } from "../../test/db.ts";
import { useTestDeps } from "../../test/fixtures.ts";
import {
  inList,
  insertChunks,
  type ListParam,
  listParam,
  preparedInsert,
  preparedLockFree,
  preparedQuery,
} from "./prepared.ts";
import type { Database } from "./schema.ts";

forEachDialect("prepared queries: lists, rows held elsewhere, upserts, named statements", (dialect) => {
  const t = useTestDeps(dialect);
  let db: Kysely<Database>;
  const account = (person: string, balance: number) => ({
    person_id: person,
    area_code: "330100",
    balance_fen: balance,
    updated_at: "2026-11-22T02:00:00.000Z",
  });
  const balances = async () =>
    Object.fromEntries(
      (
        await db
          .selectFrom("medical_accounts")
          .select(["person_id", "balance_fen"])
          .orderBy("person_id")
          .execute()
      ).map((r) => [r.person_id, Number(r.balance_fen)]),
    );
  const addToAccounts = preparedInsert(
    "medical_accounts",
    ["person_id", "area_code", "balance_fen", "updated_at"],
    { key: "person_id", add: ["balance_fen"], set: ["updated_at"] },
  );

  before(async () => {
    db = t.database.db;
    // Accounts belong to persons: placeholder persons (no personal data) for the account rows below.
    const ids = [
      "p1",
      "p2",
      "p3",
      ...Array.from({ length: 300 }, (_, i) => `q${String(i).padStart(3, "0")}`),
    ];
    for (let i = 0; i < ids.length; i += 100)
      await db
        .insertInto("persons")
        .values(
          ids.slice(i, i + 100).map((id) => ({
            id,
            id_number_index: `index-${id}`,
            id_number_enc: "-",
            id_number_masked: "-",
            pii_enc: "-",
            name_masked: "-",
            sex: "F" as const,
            birth_date: "1990-01-01",
            birth_region_code: "330106",
            ethnicity: "01",
            area_code: "330100",
            photo_ref: null,
            version: 1,
            created_at: "2026-11-22T02:00:00.000Z",
            updated_at: "2026-11-22T02:00:00.000Z",
          })),
        )
        .execute();
  });

  it("an upsert adds to the rows that exist and opens the others; long lists go in several statements", async () => {
    await addToAccounts(db, [account("p1", 100), account("p2", 200)]);
    await addToAccounts(db, [account("p1", -30), account("p3", 5)]);
    assert.deepEqual(await balances(), { p1: 70, p2: 200, p3: 5 });
    // 300 rows: 128, 128, then 44 as 32 + 8 + 4 (a table's INSERTs come in 8 sizes only).
    const many = Array.from({ length: 300 }, (_, i) => account(`q${String(i).padStart(3, "0")}`, i));
    let statements = 0;
    const counting = new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "executeQuery")
          return (...args: Parameters<typeof target.executeQuery>) => {
            statements++;
            return target.executeQuery(...args);
          };
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    await addToAccounts(counting, many);
    assert.equal(statements, 5);
    assert.deepEqual(insertChunks(300), [128, 128, 32, 8, 4]);
    assert.deepEqual(insertChunks(127), [64, 32, 16, 8, 4, 2, 1]);
    assert.deepEqual(insertChunks(0), []);
    const sizes = new Set(Array.from({ length: 600 }, (_, n) => insertChunks(n)).flat());
    assert.deepEqual(
      [...sizes].sort((a, b) => a - b),
      [1, 2, 4, 8, 16, 32, 64, 128],
    );
    const after = await balances();
    assert.equal(Object.keys(after).filter((k) => k.startsWith("q")).length, 300);
    assert.equal(after.q299, 299);
  });

  it("a list of any length is one parameter of a prepared query", async () => {
    const among = preparedQuery((q, persons: ListParam) =>
      q
        .selectFrom("medical_accounts")
        .select("person_id")
        .where(inList(dialect, "person_id", persons))
        .orderBy("person_id"),
    );
    const ids = async (xs: string[]) => (await among(db, listParam(dialect, xs))).map((r) => r.person_id);
    assert.deepEqual(await ids(["p3", "p1", "nobody"]), ["p1", "p3"]);
    assert.deepEqual(await ids(["p2"]), ["p2"], "the same compiled query with a shorter list");
    assert.deepEqual(await ids([]), []);
  });

  it("a read that holds its rows leaves out those another transaction holds (PostgreSQL)", async () => {
    const lockFree = preparedLockFree(dialect, (q, persons: ListParam) =>
      q
        .selectFrom("medical_accounts")
        .select("person_id")
        .where(inList(dialect, "person_id", persons)),
    );
    if (dialect === "sqlite") {
      // One writer at a time: the write transaction holds every row it reads.
      const rows = await db.transaction().execute((trx) => lockFree(trx, listParam(dialect, ["p1", "p2"])));
      assert.equal(rows.length, 2);
      return;
    }
    let release!: () => void;
    let held!: () => void;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = db.transaction().execute(async (trx) => {
      await lockFree(trx, listParam(dialect, ["p1"]));
      held();
      await new Promise<void>((resolve) => (release = resolve));
    });
    await holding;
    try {
      // Raced against a timer: a read that waits for the held row would otherwise wait for ever.
      const rows = await Promise.race([
        db.transaction().execute((trx) => lockFree(trx, listParam(dialect, ["p1", "p2", "p3"]))),
        sleep(5_000).then(() => assert.fail("the read waited for the held row instead of leaving it out")),
      ]);
      assert.deepEqual(
        rows.map((r) => r.person_id).sort(),
        ["p2", "p3"],
        "p1 is held by the other transaction",
      );
    } finally {
      release();
      await holder;
    }
  });

  if (dialect === "postgres")
    it("a query with parameters is prepared once per connection, and again after a migration changed its columns", async () => {
      await sql`create table prep_probe (id integer primary key, v text)`.execute(db);
      await sql`insert into prep_probe values (1, 'a')`.execute(db);
      const probe = (q: Kysely<Database>) =>
        sql<Record<string, unknown>>`select * from prep_probe where id = ${1}`.execute(q);
      await db.connection().execute(async (conn) => {
        await probe(conn);
        await probe(conn);
        const prepared = await sql<{
          statement: string;
        }>`select statement from pg_prepared_statements`.execute(conn);
        assert.ok(
          prepared.rows.some((r) => r.statement.includes("prep_probe")),
          "the probe is a prepared statement of this connection",
        );
        await sql`alter table prep_probe add column w text`.execute(conn);
        // The statement prepared before has other result columns now: it fails once, then is prepared anew.
        const first = await probe(conn).then(
          (r) => r,
          (err: { code?: string }) => err,
        );
        if ("code" in first) assert.equal(first.code, "0A000");
        const again = await probe(conn);
        assert.deepEqual(Object.keys(again.rows[0]).sort(), ["id", "v", "w"]);
      });
    });
});
