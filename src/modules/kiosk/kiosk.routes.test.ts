import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, cardInState, newIdNumber, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";

forEachDialect("the self-service kiosk", (dialect) => {
  const ctx = useTestApp(dialect);
  const keys = {} as { hangzhou: string; ningbo: string };
  before(async () => {
    await seedAreas(ctx.deps);
    const key = async (areaCode: string) =>
      (
        await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
          name: `自助终端 ${areaCode}`,
          role: "outlet_clerk",
          areaCode,
          channel: "kiosk",
          employerId: null,
          institutionId: null,
        })
      ).token;
    keys.hangzhou = await key("330100");
    keys.ningbo = await key("330200");
  });
  const preLoss = (body: object, token = keys.hangzhou) =>
    callAs(ctx.app, token)("POST", "/kiosk/pre-loss", body);

  it("pre-losses a card with the holder's ID number and card password: stopped at once, on the blacklist, audited as the kiosk", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "自助挂失" });
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    const wrong = await preLoss({ idNumber: c.idNumber, pin: pin === "000000" ? "111111" : "000000" });
    assert.deepEqual([wrong.status, wrong.body.code], [403, "PASSWORD_WRONG"]);
    assert.equal(wrong.body.details.attemptsLeft, NATIONAL_DEFAULT_POLICY.lockout.threshold - 1);
    const nobody = await preLoss({ idNumber: newIdNumber(), pin });
    assert.deepEqual([nobody.status, nobody.body.code], [401, "INVALID_CREDENTIALS"]);
    const other = await preLoss({ idNumber: c.idNumber, pin }, keys.ningbo);
    assert.deepEqual([other.status, other.body.code], [403, "AREA_FORBIDDEN"]);
    for (const body of [
      { idNumber: c.idNumber },
      { idNumber: "12345", pin },
      { idNumber: c.idNumber, pin, x: 1 },
    ]) {
      const bad = await preLoss(body);
      assert.equal(bad.status, 400, JSON.stringify(body));
    }

    const both = await Promise.all([
      preLoss({ idNumber: c.idNumber, pin }),
      preLoss({ idNumber: c.idNumber, pin }),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409], "twice at once: one pre-loss");
    const done = both.find((r) => r.status === 200)!.body;
    assert.equal(done.state, "temporarily_lost");
    assert.equal(done.nameMasked, "自***");
    assert.ok(!JSON.stringify(done).includes(c.cardNumber), "the card number masked");
    const card = await ctx.deps.cards.cardByNumber(c.cardNumber);
    assert.equal(card.state, "temporarily_lost");
    const recorded = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select(["action", "channel"])
      .where("subject_id", "=", card.id)
      .where("action", "=", "card.report_temporary_loss")
      .execute();
    assert.deepEqual(
      recorded.map((r) => ({ ...r })),
      [{ action: "card.report_temporary_loss", channel: "kiosk" }],
    );
    const attempts = await ctx.deps.database.db
      .selectFrom("pin_attempts")
      .select("channel")
      .where("card_id", "=", card.id)
      .where("channel", "=", "kiosk")
      .execute();
    assert.ok(attempts.length >= 2, "the kiosk's attempts are on the card's log");
  });

  it("a stolen kiosk key can pre-loss, never unlock, reset or cancel", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "键被盗" });
    const call = callAs(ctx.app, keys.hangzhou);
    for (const [url, body] of [
      [`/cards/${c.cardNumber}/password/unlock`, { holderIdNumber: c.idNumber }],
      [`/cards/${c.cardNumber}/password/reset`, { holderIdNumber: c.idNumber, next: { pin: "135790" } }],
      [`/cards/${c.cardNumber}/formal-loss`, { holderIdNumber: c.idNumber }],
      [`/cards/${c.cardNumber}/cancel`, { reason: "holder_request", holderIdNumber: c.idNumber }],
    ] as const) {
      const res = await call("POST", url, body);
      assert.deepEqual([res.status, res.body.code], [403, "FORBIDDEN"], url);
    }
  });
});
