import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { newIdNumber, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { createMedicalRepository } from "./medical.repository.ts";

// The hand-tuned queries of a settlement batch (compiled once, lists as one parameter, rows held
// elsewhere skipped), on each database.
forEachDialect("medical repository: accounts of a settlement batch", (dialect) => {
  const t = useTestDeps(dialect);
  const repo = createMedicalRepository(dialect);
  const persons: string[] = [];
  const at = "2026-11-22T02:00:00.000Z";

  before(async () => {
    for (let i = 0; i < 3; i++)
      persons.push(
        (
          await t.deps.persons.register(SYSTEM_ACTOR, {
            idNumber: newIdNumber(),
            name: `账户${i}`,
            ethnicity: "01",
            areaCode: "330100",
          })
        ).id,
      );
  });

  it("adds to accounts in one statement: opens new ones, adds to existing ones", async () => {
    const [a, b] = persons;
    await t.database.db.transaction().execute(async (trx) => {
      await repo.addToAccounts(trx, [
        { person_id: a, area_code: "330100", balance_fen: 500, updated_at: at },
      ]);
      await repo.addToAccounts(trx, [
        { person_id: a, area_code: "330100", balance_fen: 250, updated_at: at },
        { person_id: b, area_code: "330100", balance_fen: 100, updated_at: at },
      ]);
    });
    const { balances, busy } = await t.database.db
      .transaction()
      .execute((trx) => repo.lockFreeAccounts(trx, persons));
    assert.deepEqual(Object.fromEntries(balances), { [a]: 750, [b]: 100 });
    assert.equal(busy.size, 0, "a person without an account is neither free nor busy");
  });

  it("takes the free accounts and names the ones another transaction holds (PostgreSQL; SQLite has one writer)", async () => {
    const [a, b] = persons;
    if (dialect === "sqlite") {
      // One writer: the second transaction starts after the first ends and finds both free.
      const [first, second] = await Promise.all([
        t.database.db.transaction().execute((trx) => repo.lockFreeAccounts(trx, [a])),
        t.database.db.transaction().execute((trx) => repo.lockFreeAccounts(trx, [a, b])),
      ]);
      assert.deepEqual([...first.balances.keys()], [a]);
      assert.deepEqual([...second.balances.keys()].sort(), [a, b].sort());
      return;
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const isHeld = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const holder = t.database.db.transaction().execute(async (trx) => {
      await repo.lockFreeAccounts(trx, [a]);
      holding();
      await held;
    });
    await isHeld;
    const other = await t.database.db.transaction().execute((trx) => repo.lockFreeAccounts(trx, [a, b]));
    release();
    await holder;
    assert.deepEqual([...other.balances.keys()], [b], "the held account is skipped, not waited for");
    assert.deepEqual([...other.busy], [a]);
  });

  it("answers each call of a prepared lookup with its own parameters", async () => {
    for (const key of ["k-1", "k-2", "k-1"])
      assert.equal(await repo.settlementByKey(t.database.db, "no-such-institution", key), undefined);
  });
});
