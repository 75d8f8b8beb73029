import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import { createTestDb, forEachDialect } from "../../../test/db.ts";
import { createSoftwarePinMachine } from "./encryption-machine.ts";
import { createKeysRepository } from "./keys.repository.ts";
import { softwareLmk } from "./lmk.ts";
import { PIN_ROOT_USAGE, pinRootUnderLmk } from "./pin-root.ts";

forEachDialect("the PIN root key under the LMK", (dialect) => {
  let database: Awaited<ReturnType<typeof createTestDb>>;
  before(async () => {
    database = await createTestDb(dialect);
  });
  after(async () => database.close());

  it("imports the configured PIN key once as an LMK key block; from then on the block is the key, whatever the configuration says", async () => {
    const keys = createKeysRepository(database.db);
    const lmk = softwareLmk(randomBytes(32));
    const configured = randomBytes(32);
    const now = new Date("2026-11-22T02:00:00Z");
    const first = await pinRootUnderLmk(keys, lmk, configured, now);
    assert.deepEqual([first.imported, first.key.equals(configured)], [true, true]);
    const row = (await keys.byLabel("pin-root-v1"))!;
    assert.equal(row.usage, PIN_ROOT_USAGE);
    assert.ok(!row.block.toLowerCase().includes(configured.toString("hex")), "only the key block is stored");
    assert.ok(!row.block.includes(configured.toString("base64url")));
    // The configuration changes (or loses the key): the machine's copy decides.
    const other = randomBytes(32);
    const again = await pinRootUnderLmk(keys, lmk, other, now);
    assert.deepEqual([again.imported, again.key.equals(configured)], [false, true]);
    // Every stored PIN verification value still verifies: the PIN machine built from the block is the configured one's.
    const pvv = createSoftwarePinMachine(configured).pinVerificationValue(
      "330100D1560000050123456789ABCDEF",
      { pin: "582046" },
    );
    assert.ok(
      createSoftwarePinMachine(again.key).verifyPin(
        "330100D1560000050123456789ABCDEF",
        { pin: "582046" },
        pvv,
      ),
    );
    assert.ok(
      !createSoftwarePinMachine(other).verifyPin("330100D1560000050123456789ABCDEF", { pin: "582046" }, pvv),
    );
    // Another LMK cannot open it.
    await assert.rejects(pinRootUnderLmk(keys, softwareLmk(randomBytes(32)), configured, now));
    // Once imported, the configuration need not hold the PIN key at all.
    const without = await pinRootUnderLmk(keys, lmk, undefined, now);
    assert.ok(without.key.equals(configured));
  });

  it("a machine with no PIN root and no configured key to import refuses to start, saying what to set", async () => {
    const fresh = await createTestDb(dialect);
    try {
      await assert.rejects(
        pinRootUnderLmk(createKeysRepository(fresh.db), softwareLmk(randomBytes(32)), undefined, new Date()),
        /set SSCARD_PIN_KEY for its first import/,
      );
    } finally {
      await fresh.close();
    }
    assert.throws(() => createSoftwarePinMachine(undefined), /SSCARD_PIN_KEY is needed/);
  });
});
