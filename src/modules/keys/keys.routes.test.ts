import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, seedAreas, seedCardKeys, staffToken, useTestApp } from "../../../test/fixtures.ts";
import { verifySigned } from "./signer.ts";

forEachDialect("the state of the encryption machine's keys over HTTP", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as Record<"hz" | "nj" | "auditor" | "clerk", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    await seedCardKeys(ctx.deps);
    tokens.hz = await staffToken(ctx.deps, `hz.admin.${dialect}`, "city_admin", "330100");
    tokens.nj = await staffToken(ctx.deps, `nj.admin.${dialect}`, "city_admin", "320100");
    tokens.auditor = await staffToken(ctx.deps, `zj.auditor.${dialect}`, "auditor", "330000");
    tokens.clerk = await staffToken(ctx.deps, `hz.clerk.${dialect}`, "outlet_clerk", "330100");
  });

  it("publishes one SM2 key per signing purpose and version; the blacklist verifies with the blacklist key only, the e-card's issuer key is the credential key", async () => {
    const published = await callAs(ctx.app, undefined)("GET", "/signing-keys");
    assert.equal(published.status, 200);
    const byPurpose = Object.fromEntries(
      (published.body as { purpose: string; publicKey: string; inForce: boolean }[])
        .filter((k) => k.inForce)
        .map((k) => [k.purpose, k.publicKey]),
    );
    assert.deepEqual(Object.keys(byPurpose).sort(), [
      "audit-checkpoint",
      "blacklist",
      "ecard-credential",
      "ecard-status",
    ]);
    assert.equal(new Set(Object.values(byPurpose)).size, 4, "a key per purpose");
    const blacklist = await callAs(ctx.app, tokens.hz)("GET", "/blacklist");
    assert.equal(blacklist.status, 200, JSON.stringify(blacklist.body));
    assert.ok(verifySigned(blacklist.body, byPurpose.blacklist), "the blacklist key verifies the blacklist");
    assert.ok(!verifySigned(blacklist.body, byPurpose["ecard-status"]), "another purpose's key does not");
    assert.equal(blacklist.body.publicKey, byPurpose.blacklist);
    const hospital = await staffToken(ctx.deps, `hz.hospital.${dialect}`, "medical_operator", "330100");
    const issuer = await callAs(ctx.app, hospital)("GET", "/ecard/issuer-keys");
    assert.equal(issuer.status, 200, JSON.stringify(issuer.body));
    assert.deepEqual(Object.values(issuer.body), [byPurpose["ecard-credential"]]);
  });

  it("lists the national keys and the caller's areas' keys with version and state, never a key, and nothing of another province", async () => {
    const hz = await callAs(ctx.app, tokens.hz)("GET", "/keys");
    assert.equal(hz.status, 200, JSON.stringify(hz.body));
    const areas = new Set(hz.body.map((k: { areaCode: string | null }) => k.areaCode));
    assert.ok(areas.has(null), "the national keys");
    assert.ok(areas.has("330100"), "Hangzhou's own keys");
    assert.ok(
      hz.body.every((k: { state: string; version: number }) => k.state === "active" && k.version === 1),
      "version 1, in force",
    );
    assert.ok(
      hz.body.some((k: { asymmetric: boolean }) => k.asymmetric),
      "the area's CA key pair",
    );
    // Only these facts leave: no key block, no check value, no key in any form.
    assert.deepEqual(Object.keys(hz.body[0]).sort(), [
      "algorithm",
      "areaCode",
      "asymmetric",
      "createdAt",
      "label",
      "retiredAt",
      "state",
      "usage",
      "version",
    ]);
    const rows = await ctx.deps.database.db.selectFrom("hsm_keys").select(["block", "public_key"]).execute();
    const text = JSON.stringify(hz.body);
    for (const r of rows) {
      assert.ok(!text.includes(r.block), "a key block");
      if (r.public_key) assert.ok(!text.includes(r.public_key), "not even a public key here");
    }
    const nj = await callAs(ctx.app, tokens.nj)("GET", "/keys");
    assert.equal(nj.status, 200);
    assert.deepEqual(
      [...new Set(nj.body.map((k: { areaCode: string | null }) => k.areaCode))].sort(),
      ["320100", null],
      "the national keys and Jiangsu's, none of another province",
    );
    assert.equal((await callAs(ctx.app, tokens.auditor)("GET", "/keys")).status, 200);
    assert.equal((await callAs(ctx.app, tokens.clerk)("GET", "/keys")).status, 403);
  });
});
