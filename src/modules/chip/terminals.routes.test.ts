import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, seedAreas, staffToken, useTestApp } from "../../../test/fixtures.ts";

forEachDialect("terminals over HTTP", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as Record<"hz" | "nj", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    tokens.hz = await staffToken(ctx.deps, `hz.admin.${dialect}`, "city_admin", "330100");
    tokens.nj = await staffToken(ctx.deps, `nj.admin.${dialect}`, "city_admin", "320100");
  });

  it("registers a terminal once, even sent six times at once (ten rounds), and lists it for its area only", async () => {
    const body = { terminalNo: "330100000777", areaCode: "330100", name: "收银台 7" };
    for (let round = 0; round < 10; round++) {
      const terminalNo = `33010000078${round}`;
      const answers = await Promise.all(
        Array.from({ length: 6 }, () =>
          callAs(ctx.app, tokens.hz)("POST", "/terminals", { ...body, terminalNo }),
        ),
      );
      assert.deepEqual(
        answers.map((a) => a.status).sort(),
        [201, 409, 409, 409, 409, 409],
        JSON.stringify(answers.map((a) => a.body)),
      );
      assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.code === "TERMINAL_EXISTS"));
    }
    assert.equal((await callAs(ctx.app, tokens.hz)("POST", "/terminals", body)).status, 201);
    const wrongArea = await callAs(ctx.app, tokens.hz)("POST", "/terminals", {
      ...body,
      terminalNo: "320100000777",
    });
    assert.equal(wrongArea.status, 400);
    const listed = await callAs(ctx.app, tokens.hz)("GET", "/terminals");
    assert.deepEqual(
      listed.body.filter((d: { terminalNo: string }) => d.terminalNo === "330100000777"),
      [
        {
          terminalNo: "330100000777",
          areaCode: "330100",
          name: "收银台 7",
          institutionId: null,
          psamSerial: null,
          psamIssuedAt: null,
          registeredAt: ctx.deps.clock.now().toISOString(),
        },
      ],
    );
    const elsewhere = await callAs(ctx.app, tokens.nj)("GET", "/terminals");
    assert.equal(elsewhere.status, 200);
    assert.ok(!JSON.stringify(elsewhere.body).includes("330100000777"), "not Nanjing's");
  });
});
