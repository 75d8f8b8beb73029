import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { after, before, it } from "node:test";
import { sql } from "kysely";
import { createTestDb, forEachDialect } from "../../../test/db.ts";
import { deriveChain, keyCheckValue } from "./derivation.ts";
import { createHsm } from "./hsm.ts";
import { createKeysRepository } from "./keys.repository.ts";
import { softwareLmk } from "./lmk.ts";

forEachDialect("software encryption machine", (dialect) => {
  let database: Awaited<ReturnType<typeof createTestDb>>;
  before(async () => {
    database = await createTestDb(dialect);
  });
  after(async () => database.close());

  it("keeps keys only as LMK key blocks: the database holds no key and no check value", async () => {
    const lmk = softwareLmk(randomBytes(32));
    const hsm = createHsm({
      keys: createKeysRepository(database.db),
      lmk,
      now: () => new Date("2026-11-22T02:00:00Z"),
    });
    const c1 = randomBytes(16);
    const c2 = randomBytes(16);
    const national = Buffer.from(c1.map((b, i) => b ^ c2[i]));
    const imported = await hsm.importNationalKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      components: [
        { custodian: "张三", hex: c1.toString("hex") },
        { custodian: "李四", hex: c2.toString("hex") },
      ],
    });
    assert.equal(imported.kcv, keyCheckValue("SM4", national));
    const derived = await hsm.deriveAreaKeys({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
      city: "330100",
    });
    const chain = deriveChain("SM4", national, {
      province: "330000",
      city: "330100",
      cardIdCode: "330100D1560000050123456789ABCDEF",
    });
    assert.equal(derived.cityKcv, keyCheckValue("SM4", chain.city!));
    const cardKcv = await hsm.cardKeyCheckValue({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      city: "330100",
      cardIdCode: "330100D1560000050123456789ABCDEF",
    });
    assert.equal(cardKcv, keyCheckValue("SM4", chain.card!));

    const secrets = [national, chain.province, chain.city!, c1, c2].map((k) => k.toString("hex"));
    const kcvs = [national, chain.province, chain.city!].map((k) => keyCheckValue("SM4", k));
    const rows = JSON.stringify(await database.db.selectFrom("hsm_keys").selectAll().execute());
    for (const s of [...secrets, ...kcvs]) {
      assert.ok(!rows.toLowerCase().includes(s.toLowerCase()), `${s} in the table`);
    }
    if (dialect === "sqlite") {
      await sql`pragma wal_checkpoint(truncate)`.execute(database.db);
      const file = readFileSync(database.location).toString("latin1").toLowerCase();
      for (const s of [...secrets, ...kcvs])
        assert.ok(!file.includes(s.toLowerCase()), `${s} in the database file`);
      for (const k of [national, chain.city!])
        assert.equal(readFileSync(database.location).includes(k), false, "raw key bytes in the file");
    }
    assert.deepEqual(
      (await hsm.list()).map((k) => k.label),
      ["area-330000-external_auth-SM4-v1", "area-330100-external_auth-SM4-v1", "nat-external_auth-SM4-v1"],
    );
    const other = createHsm({
      keys: createKeysRepository(database.db),
      lmk: softwareLmk(randomBytes(32)),
      now: () => new Date(),
    });
    await assert.rejects(
      other.cardKeyCheckValue({
        type: "external_auth",
        algorithm: "SM4",
        version: 1,
        city: "330100",
        cardIdCode: "330100D1560000050123456789ABCDEF",
      }),
      /authentication failed/,
    );
  });
});
