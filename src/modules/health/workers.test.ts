import assert from "node:assert/strict";
import { it } from "node:test";
import { onPrimaryMessage, restartDelayMs, workers } from "./workers.ts";

it("backs off restarting workers that keep dying: 1 s, 2 s, 4 s … at most 30 s", () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 20].map(restartDelayMs), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

it("takes the workers' count from the primary's message and ignores anything else", () => {
  onPrimaryMessage({ workers: { serving: 1, configured: 2 } });
  assert.deepEqual(workers, { serving: 1, configured: 2 });
  onPrimaryMessage({ other: true });
  onPrimaryMessage(null);
  assert.deepEqual(workers, { serving: 1, configured: 2 });
  onPrimaryMessage({ workers: { serving: 1, configured: 1 } });
});
