import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { previousMonth } from "../../shared/clock.ts";
import { arrearsOf } from "./enrolment.rules.ts";

describe("arrears", () => {
  it("counts months across a year's end", () => {
    assert.equal(previousMonth("2027-01"), "2026-12");
    assert.equal(previousMonth("2026-11"), "2026-10");
  });

  it("suspends the medical function only after more unpaid months than the grace", () => {
    const paid = new Set(["2026-05", "2026-06"]);
    assert.deepEqual(arrearsOf("2026-05", "2026-09", paid, 3), {
      unpaid: ["2026-07", "2026-08", "2026-09"],
      suspends: false,
    });
    assert.equal(arrearsOf("2026-05", "2026-10", paid, 3).suspends, true);
    assert.equal(arrearsOf("2026-12", "2026-10", paid, 0).suspends, false, "not yet due");
  });
});
