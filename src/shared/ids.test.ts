import assert from "node:assert/strict";
import { test } from "node:test";
import { timeOrderedId } from "./ids.ts";

test("timeOrderedId: a version 7 UUID whose first 48 bits are the milliseconds, distinct and ordered by time", () => {
  const at = Date.UTC(2026, 10, 22, 2, 0, 0, 123);
  const id = timeOrderedId(at);
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(Number.parseInt(id.replaceAll("-", "").slice(0, 12), 16), at);
  const ids = Array.from({ length: 5000 }, (_, i) => timeOrderedId(at + i));
  assert.equal(new Set(ids).size, ids.length);
  assert.deepEqual([...ids].sort(), ids);
  // Within one millisecond the random part still makes them distinct.
  assert.equal(new Set(Array.from({ length: 5000 }, () => timeOrderedId(at))).size, 5000);
});
