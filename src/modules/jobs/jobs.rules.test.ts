import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JOBS, jobVariable, scheduleOf } from "./jobs.rules.ts";

describe("job periods and schedules", () => {
  it("keys a run by its period in China time: the day, the month credited, the five-minute slot", () => {
    const now = new Date("2026-12-31T16:07:30Z"); // 2027-01-01 00:07 in Shanghai
    assert.equal(JOBS["cards.daily"].periodOf(now), "2027-01-01");
    assert.equal(JOBS["medical.transfer"].periodOf(now), "2026-12");
    assert.equal(JOBS["audit.checkpoint"].periodOf(now), "2026-12-31T16:05Z");
  });

  it("takes a job's schedule from its variable, off for one job or for all", () => {
    assert.equal(jobVariable("cards.daily"), "JOB_CARDS_DAILY");
    assert.equal(scheduleOf("cards.daily", {}), "30 0 * * *");
    assert.equal(scheduleOf("cards.daily", { JOB_CARDS_DAILY: "0 1 * * *" }), "0 1 * * *");
    assert.equal(scheduleOf("cards.daily", { JOB_CARDS_DAILY: "off" }), undefined);
    assert.equal(scheduleOf("audit.checkpoint", { SCHEDULER: "off" }), undefined);
  });
});
