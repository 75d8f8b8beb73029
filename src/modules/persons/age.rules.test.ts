import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ageOn, needsGuardian } from "./age.rules.ts";

describe("age and guardians", () => {
  it("counts whole years to the birthday", () => {
    assert.equal(ageOn("1990-03-07", "2026-03-06"), 35);
    assert.equal(ageOn("1990-03-07", "2026-03-07"), 36);
    assert.equal(ageOn("1990-12-31", "2027-01-01"), 36);
  });

  it("needs a guardian below 16, counted to the sixteenth birthday", () => {
    assert.equal(needsGuardian("2010-11-23", "2026-11-22"), true);
    assert.equal(needsGuardian("2010-11-22", "2026-11-22"), false, "sixteen today");
    assert.equal(needsGuardian("1980-01-01", "2026-11-22"), false);
    assert.equal(needsGuardian("2012-02-29", "2028-02-28"), true);
    assert.equal(needsGuardian("2012-02-29", "2028-02-29"), false);
    assert.equal(needsGuardian("2011-02-28", "2027-02-28"), false);
  });
});
