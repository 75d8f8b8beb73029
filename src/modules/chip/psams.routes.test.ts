import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { actorWith, callAs, seedAreas, staffToken, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

forEachDialect("PSAMs distributed by the ministry (Measures Art. 23): who holds which", (dialect) => {
  const ctx = useTestApp(dialect);
  const t = {} as Record<"ministry" | "province" | "hz" | "nb", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    t.ministry = await staffToken(ctx.deps, "psam.ministry", "ministry_admin", "000000");
    t.province = await staffToken(ctx.deps, "psam.zj", "province_admin", "330000");
    t.hz = await staffToken(ctx.deps, "psam.hz", "city_admin", "330100");
    t.nb = await staffToken(ctx.deps, "psam.nb", "city_admin", "330200");
    for (const [no, area] of [
      ["330100000501", "330100"],
      ["330200000501", "330200"],
    ])
      await ctx.deps.terminals.register(SYSTEM_ACTOR, { terminalNo: no, areaCode: area, name: `终端 ${no}` });
  });
  const as = (who: keyof typeof t) => callAs(ctx.app, t[who]);

  it("the ministry issues PSAMs and hands them to an area; the area installs one in a terminal from its stock; a reissue withdraws the old one; each hand-over is on record", async () => {
    const issued = await as("ministry")("POST", "/psams", { count: 3 });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const [a, b, c] = issued.body.serials as string[];
    assert.match(a, /^PSAM[0-9A-F]{16}$/);
    assert.equal(
      (await as("province")("POST", "/psams", { count: 1 })).status,
      403,
      "only the ministry issues PSAMs",
    );
    const handed = await as("ministry")("POST", "/psams/distribution", {
      areaCode: "330100",
      serials: [a, b],
    });
    assert.deepEqual([handed.status, handed.body.serials], [200, [a, b]]);
    // All or none: one already handed over stops the hand-over, and c stays with the ministry.
    const again = await as("ministry")("POST", "/psams/distribution", {
      areaCode: "330200",
      serials: [c, a],
    });
    assert.deepEqual([again.status, again.body.code], [409, "PSAM_NOT_AVAILABLE"]);

    const hzAdmin = actorWith("city_admin", "330100");
    const image = await ctx.deps.terminals.issuePsam(hzAdmin, "330100000501");
    assert.ok([a, b].includes(image.serial), "one of the area's stock");
    const other = image.serial === a ? b : a;
    await assert.rejects(ctx.deps.terminals.issuePsam(actorWith("city_admin", "330200"), "330200000501"), {
      code: "PSAM_NONE_IN_STOCK",
    });
    await assert.rejects(
      ctx.deps.terminals.issuePsam(hzAdmin, "330100000501", c),
      { code: "PSAM_NOT_AVAILABLE" },
      "not the area's",
    );
    const reissued = await ctx.deps.terminals.issuePsam(hzAdmin, "330100000501", other);
    assert.equal(reissued.serial, other);
    const first = image.serial;

    const hzSees = (await as("hz")("GET", "/psams")).body as {
      serial: string;
      state: string;
      terminalNo: string | null;
    }[];
    assert.deepEqual(
      hzSees.map((p) => [p.serial, p.state, p.terminalNo]).sort(),
      [
        [first, "at_area", null],
        [other, "in_terminal", "330100000501"],
      ].sort(),
    );
    assert.deepEqual((await as("nb")("GET", "/psams")).body, [], "Ningbo holds none of them");
    const ministrySees = (await as("ministry")("GET", "/psams")).body as { serial: string; state: string }[];
    assert.equal(ministrySees.find((p) => p.serial === c)?.state, "at_ministry");
    const history = await as("hz")("GET", `/psams/${first}/movements`);
    assert.deepEqual(
      history.body.map((m: { action: string }) => m.action),
      ["issue", "distribute", "install", "withdraw"],
    );
    assert.equal((await as("nb")("GET", `/psams/${a}/movements`)).status, 404);
    const terminal = (await as("hz")("GET", "/terminals")).body.find(
      (x: { terminalNo: string }) => x.terminalNo === "330100000501",
    );
    assert.equal(terminal.psamSerial, other);
  });

  it("one PSAM handed to two areas at once goes to one; bad serials, counts and areas are refused", async () => {
    const [serial] = (await as("ministry")("POST", "/psams", { count: 1 })).body.serials as string[];
    const both = await Promise.all(
      ["330100", "330200"].map((areaCode) =>
        as("ministry")("POST", "/psams/distribution", { areaCode, serials: [serial] }),
      ),
    );
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], JSON.stringify(both.map((r) => r.body)));
    const moves = await ctx.deps.database.db
      .selectFrom("psam_movements")
      .select("action")
      .where("serial", "=", serial)
      .execute();
    assert.deepEqual(moves.map((m) => m.action).sort(), ["distribute", "issue"]);
    for (const [body, status] of [
      [{ count: 0 }, 400],
      [{ count: 501 }, 400],
      [{ count: "3" }, 400],
    ] as const)
      assert.equal((await as("ministry")("POST", "/psams", body)).status, status, JSON.stringify(body));
    for (const [body, status] of [
      [{ areaCode: "330100", serials: ["PSAM\u0000"] }, 400],
      [{ areaCode: "330100", serials: [] }, 400],
      [{ areaCode: "330100", serials: ["PSAM0000000000000000"] }, 404],
      [{ areaCode: "339900", serials: [serial] }, 404],
    ] as const)
      assert.equal(
        (await as("ministry")("POST", "/psams/distribution", body)).status,
        status,
        JSON.stringify(body),
      );
    assert.equal((await as("hz")("GET", "/psams/not-a-serial/movements")).status, 400);
  });
});
