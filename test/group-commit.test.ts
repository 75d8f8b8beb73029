import assert from "node:assert/strict";
import { after, before, it } from "node:test";
import { sql } from "kysely";
import type { Db } from "../src/db/database.ts";
import { createUnitGroupCommit } from "../src/db/group-commit.ts";
import { createTestDb, forEachDialect } from "./db.ts";

forEachDialect("group commit of units of work", (dialect) => {
  let database: Db;
  before(async () => {
    database = await createTestDb(dialect);
    await sql`create table gc_units (id integer primary key, batch text not null)`.execute(database.db);
  });
  after(() => database.close());

  it("commits the units that arrive together in one transaction; a failing unit is rolled back alone", async () => {
    const units = createUnitGroupCommit({ db: database.db });
    const rows = () =>
      sql<{ id: number }>`select id from gc_units order by id`
        .execute(database.db)
        .then((r) => r.rows.map((x) => Number(x.id)));
    const insert = (id: number) =>
      units.execute(String(id).padStart(3, "0"), async (trx) => {
        await sql`insert into gc_units (id, batch) values (${id}, ${"b"})`.execute(trx);
        return id;
      });
    const outcomes = await Promise.allSettled([
      ...[1, 2, 3, 4, 5].map(insert),
      insert(3), // the same key again: a unique violation, rolled back to its savepoint alone
      units.execute("900", async (trx) => {
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
  });
});
