import assert from "node:assert/strict";
import { it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { actorWith, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "./areas.rules.ts";

const admin = actorWith;

forEachDialect("card-issuing areas and policy", (dialect) => {
  const t = useTestDeps(dialect);

  it("names areas from GB/T 2260 and links each city to its province", async () => {
    const hz = await t.deps.areas.get(SYSTEM_ACTOR, "330100");
    assert.equal(hz.name, "浙江省杭州市");
    assert.equal(hz.parent_code, "330000");
    assert.equal(hz.level, "city");
  });

  it("registers areas only at the ministry, which allocates issuer IDs: a province admin is refused even for its own city", async () => {
    for (const code of ["330300", "320200", "440000"])
      await assert.rejects(
        t.deps.areas.create(admin("province_admin", "330000"), { code, issuerId: "3303000001" }),
        { code: "FORBIDDEN" },
      );
    const wz = await t.deps.areas.create(admin("ministry_admin", "000000"), {
      code: "330300",
      issuerId: "3303000001",
    });
    assert.equal(wz.parent_code, "330000");
    await assert.rejects(t.deps.areas.create(SYSTEM_ACTOR, { code: "330300", issuerId: "x1" }), {
      code: "AREA_EXISTS",
    });
    await assert.rejects(t.deps.areas.create(SYSTEM_ACTOR, { code: "330400", issuerId: "3303000001" }), {
      code: "ISSUER_ID_TAKEN",
    });
    await assert.rejects(t.deps.areas.create(SYSTEM_ACTOR, { code: "440100", issuerId: "4401000001" }), {
      code: "INVALID_PARENT_AREA",
    });
    await assert.rejects(t.deps.areas.create(SYSTEM_ACTOR, { code: "330106", issuerId: "3301060001" }), {
      code: "VALIDATION_FAILED",
    });
  });

  it("inherits the national policy until an area has its own, and reads the version in force on a date", async () => {
    const inherited = await t.deps.areas.policyAt(null, "330200", "2026-11-22");
    assert.equal(inherited.areaCode, "000000");
    assert.equal(inherited.inherited, true);
    assert.deepEqual(inherited.policy.lockout, { mode: "consecutive", threshold: 6 });

    const nb = admin("city_admin", "330200");
    await t.deps.areas.addPolicyVersion(nb, "330200", {
      effectiveFrom: "2026-12-01",
      policy: {
        ...NATIONAL_DEFAULT_POLICY,
        lockout: { mode: "daily", threshold: 3 },
        replacementFeeFen: 2000,
      },
      note: "宁波新规",
    });
    assert.equal((await t.deps.areas.policyAt(null, "330200", "2026-11-30")).areaCode, "000000");
    const dec = await t.deps.areas.policyAt(null, "330200", "2026-12-01");
    assert.deepEqual(
      { area: dec.areaCode, v: dec.version, lockout: dec.policy.lockout, fee: dec.policy.replacementFeeFen },
      {
        area: "330200",
        v: 1,
        lockout: { mode: "daily", threshold: 3 },
        fee: 2000,
      },
    );
    const versions = await t.deps.areas.policyVersions(nb, "330200");
    assert.equal(versions.versions.length, 1);
    assert.equal(versions.inForceVersion, null, "not yet in force on 2026-11-22");
  });

  it("refuses a policy that is invalid, back-dated, or for another area", async () => {
    const hz = admin("city_admin", "330100");
    await assert.rejects(
      t.deps.areas.addPolicyVersion(hz, "330100", {
        effectiveFrom: "2026-12-01",
        policy: { ...NATIONAL_DEFAULT_POLICY, renewalLeadDays: -1 },
      }),
      (e: { code: string; details: { issues: { path: string }[] } }) =>
        e.code === "POLICY_INVALID" && e.details.issues[0].path === "renewalLeadDays",
    );
    await assert.rejects(
      t.deps.areas.addPolicyVersion(hz, "330100", {
        effectiveFrom: "2026-11-01",
        policy: NATIONAL_DEFAULT_POLICY,
      }),
      { code: "POLICY_EFFECTIVE_DATE_IN_PAST" },
    );
    await assert.rejects(
      t.deps.areas.addPolicyVersion(hz, "330200", {
        effectiveFrom: "2026-12-01",
        policy: NATIONAL_DEFAULT_POLICY,
      }),
      { code: "AREA_FORBIDDEN" },
    );
    await assert.rejects(
      t.deps.areas.addPolicyVersion(admin("province_admin", "330000"), "000000", {
        effectiveFrom: "2026-12-01",
        policy: NATIONAL_DEFAULT_POLICY,
      }),
      { code: "AREA_FORBIDDEN" },
    );
  });

  it("numbers concurrent policy versions one after another", async () => {
    const zj = admin("province_admin", "330000");
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, (_, i) =>
        t.deps.areas.addPolicyVersion(zj, "330000", {
          effectiveFrom: "2027-01-01",
          policy: { ...NATIONAL_DEFAULT_POLICY, familyServiceSlots: i },
        }),
      ),
    );
    const versions = results.map((r) => (r.status === "fulfilled" ? r.value.version : r.reason.code));
    assert.deepEqual([...versions].sort(), [1, 2, 3, 4, 5]);
    const own = await t.deps.areas.policyVersions(zj, "330000");
    assert.deepEqual(
      own.versions.map((v) => v.version),
      [1, 2, 3, 4, 5],
    );
  });
});
