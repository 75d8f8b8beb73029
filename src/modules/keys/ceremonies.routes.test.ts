import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, seedAreas, staffToken, useTestApp } from "../../../test/fixtures.ts";
import { keyCheckValue } from "./derivation.ts";
import { unwrapUnderTransport } from "./transport.ts";

const hex = () => randomBytes(16).toString("hex").toUpperCase();
const xor = (a: string, b: string) => {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return Buffer.from(x.map((v, i) => v ^ y[i]));
};

forEachDialect("key ceremonies from the administrators' pages (Measures Art. 21, 23)", (dialect) => {
  const ctx = useTestApp(dialect);
  const t = {} as Record<"ministry" | "ministry2" | "zj" | "nb" | "nb2" | "hz" | "auditor", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    t.ministry = await staffToken(ctx.deps, "kc.ministry", "ministry_admin", "000000");
    t.ministry2 = await staffToken(ctx.deps, "kc.ministry2", "ministry_admin", "000000");
    t.zj = await staffToken(ctx.deps, "kc.zj", "province_admin", "330000");
    t.nb = await staffToken(ctx.deps, "kc.nb", "city_admin", "330200");
    t.nb2 = await staffToken(ctx.deps, "kc.nb2", "city_admin", "330200");
    t.hz = await staffToken(ctx.deps, "kc.hz", "city_admin", "330100");
    t.auditor = await staffToken(ctx.deps, "kc.auditor", "auditor", "330000");
  });
  const as = (who: keyof typeof t) => callAs(ctx.app, t[who]);
  const db = () => ctx.deps.database.db;

  it("a transport key from two custodians' components: each sees its component's check value, one custodian cannot enter two, the second makes the key; nothing of a component stays", async () => {
    const opened = await as("nb")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "factory",
      areaCode: "330200",
      version: 2,
    });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    assert.deepEqual(
      [opened.body.state, opened.body.componentsRequired, opened.body.label],
      ["open", 2, "tk-factory-330200-SM4-v2"],
    );
    const id = opened.body.ceremonyId as string;
    const [a, b] = [hex(), hex()];
    const first = await as("nb")("POST", `/key-ceremonies/${id}/components`, { component: a });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.equal(first.body.state, "open");
    assert.deepEqual(
      first.body.components.map((c: { kcv: string }) => c.kcv),
      [keyCheckValue("SM4", Buffer.from(a, "hex"))],
    );
    const twice = await as("nb")("POST", `/key-ceremonies/${id}/components`, { component: hex() });
    assert.deepEqual([twice.status, twice.body.code], [409, "KEY_CUSTODIAN_TWICE"]);
    assert.match(twice.body.message, /另一名保管员/);
    const again = await as("nb2")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "factory",
      areaCode: "330200",
      version: 2,
    });
    assert.deepEqual([again.status, again.body.code], [409, "KEY_CEREMONY_OPEN"]);

    const done = await as("zj")("POST", `/key-ceremonies/${id}/components`, { component: b });
    assert.equal(done.status, 200, JSON.stringify(done.body));
    const key = xor(a, b);
    assert.deepEqual(
      [done.body.state, done.body.kcv, done.body.closedBy],
      ["completed", keyCheckValue("SM4", key), "kc.zj"],
    );
    // The machine now wraps for Ningbo's factory under the new key (its newest), which is a XOR b.
    const wrapper = await ctx.deps.hsm!.transportWrapper("factory", "330200");
    assert.equal(wrapper.transportKey, "tk-factory-330200-SM4-v2");
    const cardKey = randomBytes(16);
    assert.deepEqual(unwrapUnderTransport(key, wrapper.wrap(cardKey).wrapped), cardKey);

    const rows = await db()
      .selectFrom("key_ceremony_components")
      .selectAll()
      .where("ceremony_id", "=", id)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.block),
      [null, null],
      "the sealed components are forgotten",
    );
    const stored = JSON.stringify([
      rows,
      await db().selectFrom("key_ceremonies").selectAll().execute(),
      await db().selectFrom("hsm_keys").selectAll().execute(),
      await db().selectFrom("audit_log").selectAll().execute(),
    ]).toUpperCase();
    for (const secret of [a, b, key.toString("hex").toUpperCase()]) assert.ok(!stored.includes(secret));
    const actions = await db()
      .selectFrom("audit_log")
      .select("action")
      .where("subject_id", "=", id)
      .orderBy("seq")
      .execute();
    assert.deepEqual(
      actions.map((r) => r.action),
      ["key.ceremony.open", "key.ceremony.component", "key.ceremony.component", "key.ceremony.complete"],
    );
    const closed = await as("nb2")("POST", `/key-ceremonies/${id}/components`, { component: hex() });
    assert.deepEqual([closed.status, closed.body.code], [409, "KEY_CEREMONY_CLOSED"]);
    const exists = await as("nb")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "factory",
      areaCode: "330200",
      version: 2,
    });
    assert.deepEqual([exists.status, exists.body.code], [409, "KEY_EXISTS"]);
  });

  it("a national control key is the ministry's; a province cannot open one; what is missing or malformed is refused before anything is written", async () => {
    const body = { kind: "national", keyType: "purchase", version: 7 };
    const province = await as("zj")("POST", "/key-ceremonies", body);
    assert.deepEqual([province.status, province.body.code], [403, "AREA_FORBIDDEN"]);
    const missing = await as("ministry")("POST", "/key-ceremonies", { kind: "national", version: 7 });
    assert.deepEqual([missing.status, missing.body.code], [400, "VALIDATION_FAILED"]);
    assert.match(missing.body.message, /keyType.*此类密钥仪式必须提供/);
    const cityMinistryKey = await as("nb")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "ministry",
      areaCode: "330200",
      version: 1,
    });
    assert.deepEqual([cityMinistryKey.status, cityMinistryKey.body.code], [400, "VALIDATION_FAILED"]);
    const unknownArea = await as("ministry")("POST", "/key-ceremonies", {
      kind: "local",
      areaCode: "990100",
      version: 1,
    });
    assert.deepEqual([unknownArea.status, unknownArea.body.code], [404, "AREA_NOT_FOUND"]);
    for (const bad of [
      { ...body, version: 0 },
      { ...body, version: 1e20 },
      { ...body, keyType: "master\u0000" },
      { ...body, kind: "lmk" },
      { ...body, extra: 1 },
    ]) {
      const r = await as("ministry")("POST", "/key-ceremonies", bad);
      assert.deepEqual([r.status, r.body.code], [400, "VALIDATION_FAILED"], JSON.stringify(bad));
    }

    const opened = await as("ministry")("POST", "/key-ceremonies", body);
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const id = opened.body.ceremonyId as string;
    const a = hex();
    for (const [component, reason] of [
      ["XYZ", "component_not_hex"],
      ["1".repeat(31), "component_not_hex"],
      ["11".repeat(24), "component_length"],
      [`${a}\u0000`, "component_not_hex"],
    ] as const) {
      const r = await as("ministry")("POST", `/key-ceremonies/${id}/components`, { component });
      assert.deepEqual(
        [r.status, r.body.code, r.body.details.reason],
        [422, "KEY_COMPONENT_INVALID", reason],
      );
    }
    assert.equal(
      (await as("ministry")("POST", `/key-ceremonies/${id}/components`, { component: a })).status,
      200,
    );
    // A second component equal to the first cancels it out: refused, and the first stays.
    const cancel = await as("ministry2")("POST", `/key-ceremonies/${id}/components`, { component: a });
    assert.deepEqual([cancel.status, cancel.body.details.reason], [422, "components_cancel_out"]);
    assert.match(cancel.body.message, /相互抵消/);
    const b = hex();
    const done = await as("ministry2")("POST", `/key-ceremonies/${id}/components`, { component: b });
    assert.deepEqual([done.body.state, done.body.kcv], ["completed", keyCheckValue("SM4", xor(a, b))]);
    const held = await db()
      .selectFrom("hsm_keys")
      .select("label")
      .where("label", "=", "nat-purchase-SM4-v7")
      .execute();
    assert.equal(held.length, 1);
    const list = await as("zj")("GET", "/key-ceremonies");
    assert.ok(
      !list.body.some((c: { ceremonyId: string }) => c.ceremonyId === id),
      "a province does not see the ministry's ceremonies",
    );
  });

  it("a local key and a CA key are generated by the machine when opened; another area sees nothing and can do nothing; an auditor reads; cancelled is final", async () => {
    const local = await as("nb")("POST", "/key-ceremonies", {
      kind: "local",
      areaCode: "330200",
      version: 1,
    });
    assert.deepEqual([local.status, local.body.state, local.body.componentsRequired], [201, "completed", 0]);
    assert.match(local.body.kcv, /^[0-9A-F]{6}$/);
    const mac = await ctx.deps.hsm!.localExtensionMac({
      area: "330200",
      version: 1,
      data: Buffer.from("EF0A"),
    });
    assert.match(String(mac), /^[0-9A-Fa-f]{16,32}$/);
    const ca = await as("nb")("POST", "/key-ceremonies", { kind: "ca", areaCode: "330200", version: 5 });
    assert.deepEqual([ca.status, ca.body.state, ca.body.label], [201, "completed", "ca-330200-SM2-v5"]);
    assert.equal((await ctx.deps.hsm!.areaCa("330200")).label, "ca-330200-SM2-v5");

    const open = await as("nb")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "factory",
      areaCode: "330200",
      version: 3,
    });
    const id = open.body.ceremonyId as string;
    const other = await as("hz")("POST", `/key-ceremonies/${id}/components`, { component: hex() });
    assert.deepEqual([other.status, other.body.code], [404, "KEY_CEREMONY_NOT_FOUND"]);
    assert.equal((await as("hz")("POST", `/key-ceremonies/${id}/cancel`)).status, 404);
    const hzList = await as("hz")("GET", "/key-ceremonies");
    assert.ok(!hzList.body.some((c: { areaCode: string }) => c.areaCode === "330200"));
    const read = await as("auditor")("GET", "/key-ceremonies");
    assert.ok(read.body.some((c: { ceremonyId: string }) => c.ceremonyId === id));
    const auditorOpens = await as("auditor")("POST", "/key-ceremonies", {
      kind: "local",
      areaCode: "330100",
      version: 9,
    });
    assert.deepEqual([auditorOpens.status, auditorOpens.body.code], [403, "FORBIDDEN"]);

    assert.equal(
      (await as("nb")("POST", `/key-ceremonies/${id}/components`, { component: hex() })).status,
      200,
    );
    const cancelled = await as("nb2")("POST", `/key-ceremonies/${id}/cancel`);
    assert.deepEqual([cancelled.status, cancelled.body.state], [200, "cancelled"]);
    const blocks = await db()
      .selectFrom("key_ceremony_components")
      .select("block")
      .where("ceremony_id", "=", id)
      .execute();
    assert.deepEqual(
      blocks.map((r) => r.block),
      [null],
    );
    assert.equal((await as("nb2")("POST", `/key-ceremonies/${id}/cancel`)).body.code, "KEY_CEREMONY_CLOSED");
    assert.equal(
      (await as("nb2")("POST", `/key-ceremonies/${id}/components`, { component: hex() })).status,
      409,
    );
    assert.equal((await as("nb")("POST", "/key-ceremonies/nope/cancel")).status, 404);
    // The label is free again: a new ceremony for the same key may be opened.
    const reopened = await as("nb")("POST", "/key-ceremonies", {
      kind: "transport",
      party: "factory",
      areaCode: "330200",
      version: 3,
    });
    assert.equal(reopened.status, 201);
  });

  it("two custodians entering at once make the key once; one custodian sending twice at once is counted once", async () => {
    const open = await as("ministry")("POST", "/key-ceremonies", {
      kind: "national",
      keyType: "mac",
      version: 8,
    });
    const id = open.body.ceremonyId as string;
    const [a, b] = [hex(), hex()];
    const both = await Promise.all([
      as("ministry")("POST", `/key-ceremonies/${id}/components`, { component: a }),
      as("ministry2")("POST", `/key-ceremonies/${id}/components`, { component: b }),
    ]);
    assert.deepEqual(
      both.map((r) => r.status),
      [200, 200],
      JSON.stringify(both.map((r) => r.body)),
    );
    const final = (await as("ministry")("GET", "/key-ceremonies")).body.find(
      (c: { ceremonyId: string }) => c.ceremonyId === id,
    );
    assert.deepEqual(
      [final.state, final.components.length, final.kcv],
      ["completed", 2, keyCheckValue("SM4", xor(a, b))],
    );

    const open2 = await as("ministry")("POST", "/key-ceremonies", {
      kind: "national",
      keyType: "mac",
      version: 9,
    });
    const id2 = open2.body.ceremonyId as string;
    const same = await Promise.all([
      as("ministry")("POST", `/key-ceremonies/${id2}/components`, { component: hex() }),
      as("ministry")("POST", `/key-ceremonies/${id2}/components`, { component: hex() }),
    ]);
    assert.deepEqual(same.map((r) => r.status).sort(), [200, 409], JSON.stringify(same.map((r) => r.body)));
    const count = await db()
      .selectFrom("key_ceremony_components")
      .select("custodian_id")
      .where("ceremony_id", "=", id2)
      .execute();
    assert.equal(count.length, 1);
  });
});
