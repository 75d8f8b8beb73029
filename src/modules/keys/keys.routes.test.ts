import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  createTestDeps,
  seedAreas,
  seedCardKeys,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { buildApp } from "../../app.ts";
import { createDeps } from "../../deps.ts";
import { ecardIssuerKeyId } from "../ecard/ecard.service.ts";
import { type Credential, mintCode, signCredential, verifyCode } from "../ecard/ecard-code.ts";
import { parseSigningVersions, purposeKey, verifySigned } from "./signer.ts";

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

  it("rotates a purpose's key by configuration: the new version signs, the older stays published, and e-card credentials signed before still verify offline", async () => {
    const { database, secrets, clock } = await createTestDeps(dialect);
    const config = { secrets, sessionTtlMinutes: 480, sessionIdleMinutes: 30, authCacheSeconds: 5 };
    const rotated = createDeps(
      database,
      { ...config, signingVersions: parseSigningVersions("blacklist=2, ecard-credential=2") },
      clock,
    );
    const app = await buildApp(rotated);
    try {
      const keys = (await callAs(app, undefined)("GET", "/signing-keys")).body as {
        purpose: string;
        version: number;
        inForce: boolean;
        publicKey: string;
      }[];
      const of = (purpose: string) =>
        keys.filter((k) => k.purpose === purpose).map((k) => [k.version, k.inForce]);
      assert.deepEqual(of("blacklist"), [
        [2, true],
        [1, false],
      ]);
      assert.deepEqual(of("ecard-status"), [[1, true]]);
      const key = (purpose: string, version: number) =>
        keys.find((k) => k.purpose === purpose && k.version === version)!.publicKey;
      await seedAreas(rotated);
      const admin = await staffToken(rotated, `rot.admin.${dialect}`, "city_admin", "330100");
      const blacklist = (await callAs(app, admin)("GET", "/blacklist")).body;
      assert.ok(verifySigned(blacklist, key("blacklist", 2)), "signed by the version in force");
      assert.ok(!verifySigned(blacklist, key("blacklist", 1)));

      const hospital = await staffToken(rotated, `rot.hospital.${dialect}`, "medical_operator", "330100");
      const issuerKeys = (await callAs(app, hospital)("GET", "/ecard/issuer-keys")).body as Record<
        string,
        string
      >;
      assert.deepEqual(Object.keys(issuerKeys).sort(), [ecardIssuerKeyId(1), ecardIssuerKeyId(2)]);
      assert.equal(issuerKeys[ecardIssuerKeyId(2)], key("ecard-credential", 2));
      // A credential from before the rotation, on a phone: a terminal with the published keys still accepts its codes.
      const device = sm2.generateKeyPairHex();
      const now = Math.floor(clock.now().getTime() / 1000);
      const before: Credential = {
        v: 1,
        iss: ecardIssuerKeyId(1),
        eid: randomBytes(16).toString("hex"),
        dk: sm2.compressPublicKeyHex(device.publicKey),
        nm: "张*",
        cn: "A1****78",
        ar: "330100",
        sv: 1,
        ch: "hz-app",
        iat: now - 60,
        exp: now + 86_400,
      };
      const oldKey = purposeKey(secrets.signingKey, "ecard-credential", 1).toString("hex");
      const code = mintCode(signCredential(before, oldKey), device.privateKey, "payment", now);
      assert.equal(verifyCode(code, { issuerKeys, status: new Map(), now }, "payment").ok, true);
      const forged = mintCode(
        signCredential({ ...before, iss: ecardIssuerKeyId(2) }, oldKey),
        device.privateKey,
        "payment",
        now,
      );
      assert.equal(verifyCode(forged, { issuerKeys, status: new Map(), now }, "payment").ok, false);
      assert.throws(() => parseSigningVersions("blacklist=0"), /SSCARD_SIGNING_KEY_VERSIONS: "blacklist=0"/);
      assert.throws(() => parseSigningVersions("certificates=2"), /purposes: blacklist, ecard-credential/);
    } finally {
      await app.close();
      await database.close();
    }
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
