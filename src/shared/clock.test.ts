import assert from "node:assert/strict";
import { test } from "node:test";
import { chinaDate } from "./clock.ts";

test("chinaDate: the calendar day in China Standard Time (UTC+8), also when asked alternately across midnight", () => {
  const before = new Date("2026-11-21T15:59:59.999Z");
  const after = new Date("2026-11-21T16:00:00.000Z");
  for (let i = 0; i < 3; i++) {
    assert.equal(chinaDate(before), "2026-11-21");
    assert.equal(chinaDate(after), "2026-11-22");
  }
  assert.equal(chinaDate(new Date("2026-12-31T23:30:00Z")), "2027-01-01");
  assert.throws(() => chinaDate(new Date(Number.NaN)), RangeError);
});
