import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shippedRegions } from "../regions/regions.ts";
import {
  classifyAreaCode,
  NATIONAL_DEFAULT_POLICY,
  type PolicyVersion,
  policyInForce,
  policySchema,
} from "./areas.rules.ts";

const v = (
  areaCode: string,
  version: number,
  effectiveFrom: string,
  renewalLeadDays = 60,
): PolicyVersion => ({
  areaCode,
  version,
  effectiveFrom,
  policy: { ...NATIONAL_DEFAULT_POLICY, renewalLeadDays },
});

describe("policy in force", () => {
  const national = [v("000000", 1, "2000-01-01")];
  const city = [
    v("330100", 1, "2026-01-01", 30),
    v("330100", 2, "2026-07-01", 45),
    v("330100", 3, "2026-07-01", 50),
  ];

  it("takes the latest version effective on the date, the higher version on the same date", () => {
    assert.equal(policyInForce([city, national], "2026-03-01")?.version, 1);
    assert.equal(policyInForce([city, national], "2026-07-01")?.version, 3);
    assert.equal(policyInForce([city, national], "2030-01-01")?.policy.renewalLeadDays, 50);
  });

  it("inherits from the parent before the area's first version", () => {
    const found = policyInForce([city, [], national], "2025-12-31");
    assert.equal(found?.areaCode, "000000");
  });

  it("has nothing before the first national version", () => {
    assert.equal(policyInForce([city, national], "1999-12-31"), undefined);
  });

  it("the national defaults follow the seeds", () => {
    const p = policySchema.parse(NATIONAL_DEFAULT_POLICY);
    assert.deepEqual(p.lockout, { mode: "consecutive", threshold: 6 });
    assert.equal(p.renewalLeadDays, 60);
    assert.equal(p.replacementReadyWorkingDays, 5);
    assert.equal(p.familyServiceSlots, 8);
    assert.equal(p.initialPassword.rule, "card_number_last6");
    assert.equal(p.ecardWhileTemporarilyLost, "with_holder_authorisation");
    assert.equal(p.preLossAutoCancelDays, null);
  });

  it("rejects unknown fields and out-of-range values", () => {
    assert.equal(policySchema.safeParse({ ...NATIONAL_DEFAULT_POLICY, extra: 1 }).success, false);
    assert.equal(
      policySchema.safeParse({ ...NATIONAL_DEFAULT_POLICY, lockout: { mode: "daily", threshold: 0 } })
        .success,
      false,
    );
    assert.equal(
      policySchema.safeParse({
        ...NATIONAL_DEFAULT_POLICY,
        initialPassword: { rule: "fixed", value: "12345" },
      }).success,
      false,
    );
  });
});

describe("card-issuing area codes", () => {
  const regions = shippedRegions();
  it("makes provinces children of the national scope and cities children of their province", () => {
    assert.deepEqual(classifyAreaCode("330000", regions), {
      ok: true,
      level: "province",
      parentCode: "000000",
      name: "浙江省",
    });
    assert.deepEqual(classifyAreaCode("330200", regions), {
      ok: true,
      level: "city",
      parentCode: "330000",
      name: "宁波市",
    });
  });
  it("places a county under its city, and refuses unknown codes", () => {
    assert.deepEqual(classifyAreaCode("330106", regions), {
      ok: true,
      level: "county",
      parentCode: "330100",
      name: "西湖区",
    });
    assert.deepEqual(classifyAreaCode("339900", regions), { ok: false, problem: "region" });
  });
});
