import assert from "node:assert/strict";
import { after, it } from "node:test";
import { createTestDb, forEachDialect } from "../../../test/db.ts";
import { actorWith, newIdNumber, seedAreas, testSecrets } from "../../../test/fixtures.ts";
import { createDeps } from "../../deps.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { cardNumberCheckCharacter } from "./cards.rules.ts";

forEachDialect("card number allocation", (dialect) => {
  const cleanup: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanup) await c();
  });

  it("draws again while a random card number is already taken", async () => {
    const database = await createTestDb(dialect);
    cleanup.push(() => database.close());
    const first = `A1234567${cardNumberCheckCharacter("A1234567")}`;
    const fresh = `Z9999999${cardNumberCheckCharacter("Z9999999")}`;
    const draws = [first, first, first, first, fresh];
    const config = {
      secrets: testSecrets(),
      sessionTtlMinutes: 480,
      sessionIdleMinutes: 30,
      authCacheSeconds: 5,
    };
    const deps = createDeps(database, config, undefined, { drawCardNumber: () => draws.shift()! });
    await seedAreas(deps);
    const clerk = actorWith("outlet_clerk", "330100");
    const apply = async () => {
      const idNumber = newIdNumber();
      await deps.persons.register(SYSTEM_ACTOR, {
        idNumber,
        name: "持卡人",
        ethnicity: "01",
        areaCode: "330100",
        photoRef: "p",
      });
      return (await deps.cards.apply(clerk, { idNumber, areaCode: "330100" })).cardNumber;
    };
    assert.equal(await apply(), first);
    assert.equal(await apply(), fresh, "the taken number was drawn three more times, then a free one");
    assert.equal(draws.length, 0);
  });
});
