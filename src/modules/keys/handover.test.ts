import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, it } from "node:test";
import { createTestDb, forEachDialect } from "../../../test/db.ts";
import { deriveChain, keyCheckValue } from "./derivation.ts";
import { createHsm, type Hsm } from "./hsm.ts";
import { createKeysRepository } from "./keys.repository.ts";
import { softwareLmk } from "./lmk.ts";

/** Custodians' components of a key: two people, each knowing one half. */
const components = (key: Buffer) => {
  const a = randomBytes(16);
  return [
    { custodian: "甲", hex: a.toString("hex") },
    { custodian: "乙", hex: Buffer.from(a.map((b, i) => b ^ key[i])).toString("hex") },
  ];
};

forEachDialect("keys handed down step by step (Measures Art. 21, 23)", (dialect) => {
  const dbs: Awaited<ReturnType<typeof createTestDb>>[] = [];
  const machines = {} as { ministry: Hsm; province: Hsm; wrongProvince: Hsm; city: Hsm };
  const national = randomBytes(16);
  const transport = randomBytes(16);
  before(async () => {
    for (const name of ["ministry", "province", "wrongProvince", "city"] as const) {
      const db = await createTestDb(dialect);
      dbs.push(db);
      // Each party's own machine: its own LMK, its own key store.
      machines[name] = createHsm({
        keys: createKeysRepository(db.db),
        lmk: softwareLmk(randomBytes(32)),
        now: () => new Date("2026-11-22T02:00:00Z"),
      });
    }
    await machines.ministry.importNationalKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      components: components(national),
    });
    // The ministry and the province build the same transport key from the same components, each in its machine.
    for (const m of [machines.ministry, machines.province])
      await m.importTransportKey({
        party: "ministry",
        area: "330000",
        version: 1,
        components: components(transport),
      });
    await machines.wrongProvince.importTransportKey({
      party: "ministry",
      area: "330000",
      version: 1,
      components: components(randomBytes(16)),
    });
  });
  after(async () => Promise.all(dbs.map((d) => d.close())));

  it("the ministry's sub-key for a province leaves its machine only enciphered under their transport key, and the province imports it checked against its check value", async () => {
    const sent = await machines.ministry.exportProvinceKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
    });
    const chain = deriveChain("SM4", national, {
      province: "330000",
      city: "330100",
      cardIdCode: "330100D1560000050123456789ABCDEF",
    });
    assert.equal(sent.transportKey, "tk-ministry-330000-SM4-v1");
    assert.ok(
      !JSON.stringify(sent).toLowerCase().includes(chain.province.toString("hex")),
      "no clear key in what leaves",
    );
    assert.equal(sent.kcv, keyCheckValue("SM4", chain.province));

    const imported = await machines.province.importProvinceKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
      wrapped: sent.wrapped,
      kcv: sent.kcv,
    });
    assert.deepEqual(imported, {
      label: "area-330000-external_auth-SM4-v1",
      kcv: keyCheckValue("SM4", chain.province),
    });
    // The province derives its city's key (the next step down) without ever holding the national key.
    const city = await machines.province.deriveCityKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
      city: "330100",
    });
    assert.equal(city.cityKcv, keyCheckValue("SM4", chain.city!));
    const card = await machines.province.cardKeyCheckValue({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      city: "330100",
      cardIdCode: "330100D1560000050123456789ABCDEF",
    });
    assert.equal(
      card,
      keyCheckValue("SM4", chain.card!),
      "cards personalised from the handed-down key are the national chain's",
    );
    assert.ok(
      (await machines.province.list()).every((k) => !k.label.startsWith("nat-")),
      "the province holds no national key",
    );
  });

  it("refuses a key changed on the way, another transport key, and a province with no transport key", async () => {
    const sent = await machines.ministry.exportProvinceKey({
      type: "external_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
    });
    const flipped = `${sent.wrapped.slice(0, -1)}${sent.wrapped.endsWith("0") ? "1" : "0"}`;
    const input = {
      type: "internal_auth" as const,
      algorithm: "SM4" as const,
      version: 1,
      province: "330000",
    };
    await assert.rejects(machines.province.importProvinceKey({ ...input, wrapped: flipped, kcv: sent.kcv }), {
      code: "KEY_CHECK_FAILED",
    });
    await assert.rejects(
      machines.wrongProvince.importProvinceKey({ ...input, wrapped: sent.wrapped, kcv: sent.kcv }),
      { code: "KEY_CHECK_FAILED" },
    );
    await assert.rejects(
      machines.city.importProvinceKey({ ...input, wrapped: sent.wrapped, kcv: sent.kcv }),
      { code: "KEY_NOT_FOUND" },
    );
    await assert.rejects(
      machines.ministry.exportProvinceKey({ ...input, province: "320000" }),
      { code: "KEY_NOT_FOUND" },
      "no transport key with Jiangsu yet",
    );
  });

  it("an area generates its own key for its locally extended files: random, never exported, its MAC over the file's content", async () => {
    const a = await machines.city.generateLocalKey({ area: "330100", version: 1 });
    const b = await machines.province.generateLocalKey({ area: "330100", version: 1 });
    assert.equal(a.label, "local-330100-EXT-SM4-v1");
    assert.notEqual(a.kcv, b.kcv, "generated, not derived: two machines make two keys");
    await assert.rejects(machines.city.generateLocalKey({ area: "330100", version: 1 }), /exists/);
    const file = Buffer.from("EF0D 本地扩展：公交 01 图书馆 02");
    const mac = await machines.city.localExtensionMac({ area: "330100", version: 1, data: file });
    assert.match(mac, /^[0-9A-F]{32}$/);
    assert.equal(await machines.city.localExtensionMac({ area: "330100", version: 1, data: file }), mac);
    assert.notEqual(
      await machines.city.localExtensionMac({
        area: "330100",
        version: 1,
        data: Buffer.concat([file, Buffer.from("!")]),
      }),
      mac,
    );
    await assert.rejects(
      machines.city.exportCityKeysForPsam({
        algorithm: "SM4",
        version: 1,
        city: "330100",
        types: ["local_ext" as never],
      }),
    );
    const listed = (await machines.city.list()).find((k) => k.label === a.label)!;
    assert.deepEqual([listed.usage, listed.areaCode], ["local_ext", "330100"]);
  });
});
