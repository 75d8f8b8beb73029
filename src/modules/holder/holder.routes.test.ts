import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { actorWith, cardInState, newIdNumber, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

forEachDialect("the online service hall for holders", (dialect) => {
  const ctx = useTestApp(dialect);
  before(async () => {
    await seedAreas(ctx.deps);
  });

  const inject = async (method: "GET" | "POST", url: string, token?: string, payload?: object) => {
    const r = await ctx.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      payload,
    });
    return { status: r.statusCode, body: r.statusCode === 204 ? null : r.json() };
  };

  it("1,000 wrong online sign-ins from 50 sources: 5 guesses in all, the card still usable at the counter and the pharmacy", async () => {
    const c = await cardInState(ctx.deps, "active");
    const answers = await Promise.all(
      Array.from({ length: 1000 }, (_, i) =>
        ctx.app.inject({
          method: "POST",
          url: "/api/v1/holder/login",
          remoteAddress: `10.50.${i % 50}.1`,
          payload: { idNumber: c.idNumber, pin: String(100000 + i) },
        }),
      ),
    );
    const codes = answers.map((a) => a.json().code);
    assert.equal(codes.filter((x) => x === "PASSWORD_WRONG").length, 5, "5 guesses per window in all");
    assert.equal(codes.filter((x) => x === "TOO_MANY_ATTEMPTS").length, 995);
    assert.equal((await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).state, "active");
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    for (const role of ["outlet_clerk", "pharmacy_operator"] as const) {
      const verified = await ctx.deps.credentials.verify(
        actorWith(role, "330100"),
        c.cardNumber,
        { pin, purpose: "query" },
        "10.9.9.9",
      );
      assert.equal(verified.verified, true, role);
    }
  });

  it("signs a holder in with ID number and password, counting wrong online passwords apart from the card", async () => {
    const c = await cardInState(ctx.deps, "active");
    const wrong = await inject("POST", "/holder/login", undefined, { idNumber: c.idNumber, pin: "000000" });
    assert.deepEqual(
      [wrong.status, wrong.body.code, wrong.body.details.attemptsLeft],
      [403, "PASSWORD_WRONG", 4],
    );
    const nobody = await inject("POST", "/holder/login", undefined, {
      idNumber: newIdNumber(),
      pin: "000000",
    });
    assert.deepEqual([nobody.status, nobody.body.code], [401, "INVALID_CREDENTIALS"]);
    const ok = await inject("POST", "/holder/login", undefined, {
      idNumber: c.idNumber,
      pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY),
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.match(ok.body.holder.idNumberMasked, /\*/);
    assert.equal(
      ok.body.initialPassword,
      true,
      "signed in with the initial password: the hall asks to change it",
    );
    const token = ok.body.token;

    const mine = await inject("GET", "/holder/cards", token);
    assert.deepEqual(
      mine.body.map((x: { cardNumber: string; state: string }) => [x.cardNumber, x.state]),
      [[c.cardNumber, "active"]],
    );
    assert.deepEqual(
      mine.body[0].allowedActions,
      ["report_temporary_loss"],
      "only what the holder can do online",
    );
    const lost = await inject("POST", `/holder/cards/${c.cardNumber}/temporary-loss`, token);
    assert.deepEqual([lost.status, lost.body.state], [200, "temporarily_lost"]);
    assert.deepEqual(lost.body.allowedActions, ["revoke_temporary_loss"], "no formal loss or cancel online");
    const history = (await inject("GET", "/holder/cards", token)).body[0].history;
    assert.deepEqual(history.at(-1), {
      at: history.at(-1).at,
      action: "report_temporary_loss",
      fromState: "active",
      toState: "temporarily_lost",
      channel: "web",
    });
    const whileLost = await inject("POST", "/holder/login", undefined, {
      idNumber: c.idNumber,
      pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY),
    });
    assert.equal(whileLost.status, 200, "a holder can sign in while the card is temporarily lost");
    const back = await inject("POST", `/holder/cards/${c.cardNumber}/temporary-loss/revoke`, token);
    assert.deepEqual([back.status, back.body.state], [200, "active"]);

    const other = await cardInState(ctx.deps, "active");
    const theirs = await inject("POST", `/holder/cards/${other.cardNumber}/temporary-loss`, token);
    assert.deepEqual([theirs.status, theirs.body.code], [404, "CARD_NOT_FOUND"]);
    assert.equal(
      (await inject("GET", `/persons?idNumber=${c.idNumber}`, token)).status,
      403,
      "no staff route",
    );

    assert.equal((await inject("POST", "/holder/logout", token)).status, 204);
    assert.equal((await inject("GET", "/holder/cards", token)).status, 401);
  });
});

forEachDialect("the holder's own insurance in the hall", (dialect) => {
  const ctx = useTestApp(dialect);
  before(async () => {
    await seedAreas(ctx.deps);
  });
  const login = async (c: { idNumber: string; cardNumber: string }) => {
    const r = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    return r.json().token as string;
  };
  const get = async (url: string, token: string) => {
    const r = await ctx.app.inject({
      method: "GET",
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: r.statusCode, body: r.json() };
  };

  it("shows the holder's enrolments, the arrears in force and the contributions paid, and nobody else's", async () => {
    const mine = await cardInState(ctx.deps, "active");
    const other = await cardInState(ctx.deps, "active");
    await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: mine.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-01-01",
    });
    const paid = await ctx.deps.medical.payContribution(SYSTEM_ACTOR, {
      payer: "self",
      idNumber: mine.idNumber,
      month: "2026-09",
      gradePercent: 100,
    });
    assert.ok(paid.contributionId);
    // Arrears recorded after the payment (a payment ends the arrears in force).
    await ctx.deps.enrolment.recordArrears(SYSTEM_ACTOR, {
      idNumber: mine.idNumber,
      coordinationArea: "330100",
      fromDate: "2026-10-01",
      reason: "unpaid",
    });
    const token = await login(mine);
    const insurance = await get("/holder/enrolments", token);
    assert.equal(insurance.status, 200, JSON.stringify(insurance.body));
    assert.deepEqual(
      insurance.body.enrolments.map((e: { scheme: string; status: string }) => `${e.scheme}:${e.status}`),
      ["resident_medical:active"],
    );
    assert.deepEqual(
      insurance.body.arrears.map((a: { fromDate: string; toDate: string | null }) => [a.fromDate, a.toDate]),
      [["2026-10-01", null]],
    );
    const account = await get("/holder/medical", token);
    assert.deepEqual(
      account.body.contributions.map((c: { month: string; payer: string }) => `${c.month}:${c.payer}`),
      ["2026-09:self"],
    );
    const theirs = await get("/holder/enrolments", await login(other));
    assert.deepEqual([theirs.body.enrolments, theirs.body.arrears], [[], []]);
    assert.equal((await get("/holder/medical", await login(other))).body.contributions.length, 0);
    const anonymous = await ctx.app.inject({ method: "GET", url: "/api/v1/holder/enrolments" });
    assert.equal(anonymous.statusCode, 401);
  });
});
