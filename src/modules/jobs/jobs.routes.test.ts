import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  cardInState,
  type Method,
  seedAreas,
  staffToken,
  testSecrets,
  useTestApp,
} from "../../../test/fixtures.ts";
import { createDeps } from "../../deps.ts";
import { softwareLmk } from "../../modules/keys/lmk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

forEachDialect("periodic jobs", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as Record<"ministry" | "auditor" | "city", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    tokens.ministry = await staffToken(ctx.deps, `jobs.min.${dialect}`, "ministry_admin", "000000");
    tokens.auditor = await staffToken(ctx.deps, `jobs.aud.${dialect}`, "auditor", "000000");
    tokens.city = await staffToken(ctx.deps, `jobs.city.${dialect}`, "city_admin", "330100");
  });
  const call = (token: string, method: Method, url: string) => callAs(ctx.app, token)(method, url);

  it("runs a period once however many servers fire at once, and records who ran it and what it did", async () => {
    ctx.clock.set("2026-11-22T02:00:00Z");
    // A card imported from a legacy system, valid until 2024 and still stored as active.
    const card = await cardInState(ctx.deps, "active");
    await ctx.deps.database.db
      .updateTable("cards")
      .set({ valid_until: "2024-01-01" })
      .where("card_number", "=", card.cardNumber)
      .execute();
    // A second server on the same database: services of their own, one database.
    const other = createDeps(
      ctx.deps.database,
      { secrets: testSecrets(), sessionTtlMinutes: 480, sessionIdleMinutes: 30, authCacheSeconds: 5 },
      ctx.clock,
      { lmk: softwareLmk(randomBytes(32)) },
    );
    const fired = await Promise.all(
      Array.from({ length: 8 }, (_, i) => (i % 2 ? other : ctx.deps).jobs.run("cards.daily")),
    );
    assert.equal(fired.filter((r) => r.ran).length, 1, JSON.stringify(fired));
    assert.ok(fired.every((r) => r.period === "2026-11-22"));
    const stored = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, card.cardNumber);
    assert.equal(stored.state, "expired", "the daily job expired the card");
    const overview = await call(tokens.auditor, "GET", "/jobs");
    assert.equal(overview.status, 200);
    const daily = overview.body.find((j: { name: string }) => j.name === "cards.daily");
    assert.equal(daily.schedule, "30 0 * * *");
    assert.equal(daily.runs.length, 1);
    assert.equal(daily.runs[0].status, "succeeded");
    assert.ok(daily.runs[0].result.expired >= 1);
    assert.match(daily.runs[0].runner, /:\d+$/);
  });

  it("the next period runs again; a period that ran is refused when run by hand", async () => {
    ctx.clock.set("2026-11-22T02:00:00Z");
    const again = await call(tokens.ministry, "POST", "/jobs/cards.daily/runs");
    assert.deepEqual([again.status, again.body.code], [409, "JOB_ALREADY_RAN"]);
    assert.match(again.body.message, /本期（2026-11-22）已运行/);
    ctx.clock.set("2026-11-22T16:30:00Z"); // 00:30 on 23 November in Shanghai
    // The clock moved past the sessions' idle time: sign in again.
    tokens.ministry = await staffToken(ctx.deps, `jobs.min2.${dialect}`, "ministry_admin", "000000");
    tokens.city = await staffToken(ctx.deps, `jobs.city2.${dialect}`, "city_admin", "330100");
    const next = await call(tokens.ministry, "POST", "/jobs/cards.daily/runs");
    assert.deepEqual([next.status, next.body.period, next.body.status], [201, "2026-11-23", "succeeded"]);
    const refused = await call(tokens.city, "POST", "/jobs/cards.daily/runs");
    assert.deepEqual([refused.status, refused.body.code], [403, "FORBIDDEN"]);
    const unknown = await call(tokens.ministry, "POST", "/jobs/cards.nightly/runs");
    assert.equal(unknown.status, 400);
    ctx.clock.set("2026-11-22T02:00:00Z");
  });

  it("takes over a period whose run failed or whose process died; not one still running", async () => {
    ctx.clock.set("2026-11-25T02:00:00Z");
    const { db } = ctx.deps.database;
    const row = (status: "running" | "failed", startedAt: string) => ({
      job: "medical.arrears",
      period: "2026-11-25",
      status,
      started_at: startedAt,
      finished_at: status === "failed" ? "2026-11-25T01:00:01Z" : null,
      runner: "elsewhere:1",
      progress: null,
      result: null,
      error: status === "failed" ? "DATABASE_UNAVAILABLE" : null,
    });
    const reset = async (status: "running" | "failed", startedAt: string) => {
      await db.deleteFrom("job_runs").where("job", "=", "medical.arrears").execute();
      await db.insertInto("job_runs").values(row(status, startedAt)).execute();
    };
    await reset("running", "2026-11-25T01:50:00Z"); // 10 minutes ago: still running elsewhere
    assert.equal((await ctx.deps.jobs.run("medical.arrears")).ran, false);
    for (const [status, at] of [
      ["running", "2026-11-25T01:00:00Z"], // an hour ago: its process died
      ["failed", "2026-11-25T01:00:00Z"],
    ] as const) {
      await reset(status, at);
      const r = await ctx.deps.jobs.run("medical.arrears");
      assert.deepEqual([r.ran, r.status], [true, "succeeded"], status);
      const stored = await db
        .selectFrom("job_runs")
        .selectAll()
        .where("job", "=", "medical.arrears")
        .executeTakeFirstOrThrow();
      assert.equal(stored.error, null, "the earlier run's error is gone");
      assert.equal(stored.started_at, "2026-11-25T02:00:00.000Z");
      assert.notEqual(stored.runner, "elsewhere:1");
    }
    ctx.clock.set("2026-11-22T02:00:00Z");
  });

  it("the monthly transfer credits the previous month, and a failed run is recorded with its error", async () => {
    ctx.clock.set("2026-12-01T03:00:00Z");
    const r = await ctx.deps.jobs.run("medical.transfer");
    assert.deepEqual([r.ran, r.period, r.status], [true, "2026-11", "succeeded"]);
    const checkpoint = await ctx.deps.jobs.run("audit.checkpoint");
    assert.equal(checkpoint.status, "succeeded");
    const sealed = await ctx.deps.audit.verify();
    assert.ok(sealed.ok && sealed.checkpoints >= 1 && sealed.unsealed === 0, JSON.stringify(sealed));
    ctx.clock.set("2026-11-22T02:00:00Z");
  });
});
