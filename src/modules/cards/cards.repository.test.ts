import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { cardInState, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { createCardsRepository } from "./cards.repository.ts";

// The prepared lookups every request makes and the settlement batch's lock, on each database.
forEachDialect("cards repository: prepared lookups and the settlement batch's lock", (dialect) => {
  const t = useTestDeps(dialect);
  const repo = createCardsRepository(dialect);
  const cards: { id: string; cardNumber: string; personId: string }[] = [];

  before(async () => {
    for (let i = 0; i < 3; i++) {
      const c = await cardInState(t.deps, "active");
      const view = await t.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber);
      cards.push({ id: view.id, cardNumber: c.cardNumber, personId: view.holder.personId });
    }
  });

  it("answers each call of a compiled lookup with its own parameters", async () => {
    for (const c of [...cards, ...cards].reverse()) {
      assert.equal((await repo.byNumber(t.database.db, c.cardNumber))?.id, c.id);
      assert.equal((await repo.byId(t.database.db, c.id))?.card_number, c.cardNumber);
    }
    assert.equal(await repo.byNumber(t.database.db, "ZZZZZZZZZ"), undefined);
    const [first] = cards;
    assert.deepEqual(
      (await repo.ofPersonInProvince(t.database.db, first.personId, "33")).map((c) => c.id),
      [first.id],
    );
    assert.deepEqual(await repo.ofPersonInProvince(t.database.db, first.personId, "32"), []);
  });

  it("locks the free cards of a batch in one read and skips those held elsewhere (PostgreSQL)", async () => {
    const ids = cards.map((c) => c.id);
    if (dialect === "sqlite") {
      const rows = await t.database.db.transaction().execute((trx) => repo.lockFreeByIds(trx, ids));
      assert.deepEqual(rows.map((r) => r.id).sort(), [...ids].sort());
      return;
    }
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holding!: () => void;
    const held = new Promise<void>((resolve) => {
      holding = resolve;
    });
    const holder = t.database.db.transaction().execute(async (trx) => {
      await repo.lockById(trx, ids[0]);
      holding();
      await done;
    });
    await held;
    const rows = await t.database.db.transaction().execute((trx) => repo.lockFreeByIds(trx, ids));
    release();
    await holder;
    assert.deepEqual(
      rows.map((r) => r.id).sort(),
      ids.slice(1).sort(),
      "the held card waits for a later batch",
    );
    assert.deepEqual(await t.database.db.transaction().execute((trx) => repo.lockFreeByIds(trx, [])), []);
  });
});
