import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  cardInState,
  designatedPharmacy,
  idCardOf,
  newIdNumber,
  seedAreas,
  useTestApp,
} from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { fixedClock } from "../../shared/clock.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { encipherFormat4 } from "../keys/pin-block.ts";
import { type IdCardFacts, idCardRecord } from "./id-card.rules.ts";

forEachDialect("the self-service kiosk", (dialect) => {
  const ctx = useTestApp(dialect);
  const keys = {} as { hangzhou: string; ningbo: string };
  const keyIds = new Map<string, string>();
  before(async () => {
    await seedAreas(ctx.deps);
    const key = async (areaCode: string) => {
      const made = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: `自助终端 ${areaCode}`,
        role: "outlet_clerk",
        areaCode,
        channel: "kiosk",
        employerId: null,
        institutionId: null,
      });
      keyIds.set(made.token, made.id);
      return made.token;
    };
    keys.hangzhou = await key("330100");
    keys.ningbo = await key("330200");
  });
  /** The PIN as the kiosk's agent sends it: a format 4 block under the kiosk's PIN key, bound to the ID number. */
  const block = (pin: string, idNumber: string, token = keys.hangzhou) => ({
    format: 4,
    block: encipherFormat4(
      ctx.deps.machine.terminalPinKey(keyIds.get(token)!, 4),
      pin,
      idNumber.slice(0, 17),
    ).toString("hex"),
  });
  /** A pre-loss with the password typed as `pin` (sent as the kiosk's block) and the rest of the body as it is. */
  const preLoss = (
    input: { idNumber?: string; pin?: string; [k: string]: unknown },
    token = keys.hangzhou,
  ) => {
    const { pin, ...rest } = input;
    const body = pin === undefined ? rest : { ...rest, pinBlock: block(pin, input.idNumber ?? "", token) };
    return callAs(ctx.app, token)("POST", "/kiosk/pre-loss", body);
  };

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

  it("a stolen kiosk key can pre-loss and search the catalogue, never unlock, reset or cancel", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "键被盗" });
    const call = callAs(ctx.app, keys.hangzhou);
    await designatedPharmacy(ctx.deps, "HZ-KIOSK-PH", "330100000811");
    const found = await call("GET", "/catalogue/items?q=XA");
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(
      found.body.items.map((i: { code: string }) => i.code),
      ["XA01"],
    );
    const bare = await call("POST", `/cards/${c.cardNumber}/temporary-loss`, {});
    assert.deepEqual([bare.status, bare.body.code], [403, "FORBIDDEN"], "never by the card number alone");
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

  it("opens a holder's session by the card and its password (all services) or by the ID card swiped (reads and prints only), ended by 2 idle minutes", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "刷证人" });
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    const open = (body: object, token = keys.hangzhou) =>
      callAs(ctx.app, token)("POST", "/kiosk/sessions", body);
    const byCard = await open({ card: { cardNumber: c.cardNumber, pinBlock: block(pin, c.idNumber) } });
    assert.equal(byCard.status, 200, JSON.stringify(byCard.body));
    assert.deepEqual([byCard.body.scope, byCard.body.idleMinutes], ["all", 2]);
    const asHolder = callAs(ctx.app, byCard.body.token);
    assert.equal((await asHolder("GET", "/holder/cards")).status, 200);
    assert.equal((await asHolder("POST", "/holder/certificates", { kind: "rights_record" })).status, 201);

    const id = c.idNumber;
    const facts = idCardOf({ idNumber: id, name: "刷证人" });
    const swipe = (f: IdCardFacts, token = keys.hangzhou) =>
      open({ idCardRecord: idCardRecord(f).toString("base64") }, token);
    const bySwipe = await swipe(facts);
    assert.equal(bySwipe.status, 200, JSON.stringify(bySwipe.body));
    assert.equal(bySwipe.body.scope, "query");
    const reader = callAs(ctx.app, bySwipe.body.token);
    assert.equal((await reader("GET", "/holder/cards")).status, 200, "reads");
    assert.equal(
      (await reader("POST", "/holder/certificates", { kind: "rights_record" })).status,
      201,
      "prints",
    );
    const change = await reader("POST", `/holder/cards/${c.cardNumber}/temporary-loss`, {});
    assert.deepEqual([change.status, change.body.code], [403, "FORBIDDEN"], "changes nothing");
    const contact = await reader("GET", "/holder/contact");
    assert.equal(contact.status, 200);
    const readerEdit = await reader("PUT", "/holder/contact", {
      version: contact.body.version,
      phone: "13900001111",
    });
    assert.deepEqual(
      [readerEdit.status, readerEdit.body.code],
      [403, "FORBIDDEN"],
      "not with the ID card alone",
    );
    // With the card and its password, the holder keeps their own phone and address (audited).
    const edited = await asHolder("PUT", "/holder/contact", {
      version: contact.body.version,
      phone: "13900001111",
      address: "浙江省杭州市西湖区文三路 1 号",
    });
    assert.equal(edited.status, 200, JSON.stringify(edited.body));
    assert.deepEqual([edited.body.phone, edited.body.version], ["13900001111", contact.body.version + 1]);
    const stale = await asHolder("PUT", "/holder/contact", {
      version: contact.body.version,
      phone: "13900002222",
    });
    assert.deepEqual([stale.status, stale.body.code], [409, "CONCURRENT_MODIFICATION"]);
    const name = await asHolder("PUT", "/holder/contact", { version: edited.body.version, name: "别名" });
    assert.equal(name.status, 400, "the name is not the holder's to change");
    const updates = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select(["channel", "actor_id"])
      .where("action", "=", "person.update")
      .where("subject_id", "=", (await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber)).id)
      .execute();
    assert.deepEqual(
      updates.map((u) => u.channel),
      ["kiosk"],
    );
    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "active");

    const other = await swipe({ ...facts, name: "别人" });
    assert.deepEqual([other.status, other.body.code], [403, "HOLDER_ID_MISMATCH"]);
    const expired = await swipe({ ...facts, validUntil: "2025-01-01" });
    assert.deepEqual([expired.status, expired.body.code], [422, "ID_CARD_INVALID"]);
    assert.match(expired.body.message, /身份证已过有效期/);
    const stranger = newIdNumber("330106", "1991-05-05");
    const unknown = await swipe({
      ...facts,
      idNumber: stranger,
      birthDate: "1991-05-05",
      sex: Number(stranger[16]) % 2 === 1 ? "1" : "2",
    });
    assert.deepEqual([unknown.status, unknown.body.code], [404, "PERSON_NOT_FOUND"]);
    assert.equal((await swipe(facts, keys.ningbo)).body.code, "AREA_FORBIDDEN");
    const both = await open({
      card: { cardNumber: c.cardNumber, pinBlock: block(pin, c.idNumber) },
      idCardRecord: idCardRecord(facts).toString("base64"),
    });
    assert.deepEqual([both.status, both.body.code], [400, "VALIDATION_FAILED"]);
    assert.equal((await open({ idCardRecord: "AAAA" })).status, 400, "not a record");

    const logins = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select(["channel", "after"])
      .where("action", "=", "holder.login")
      .where("subject_id", "=", (await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, id)).id)
      .execute();
    assert.deepEqual(
      logins.map((l) => [l.channel, JSON.parse(String(l.after)).with]),
      [
        ["kiosk", "card"],
        ["kiosk", "id_card"],
      ],
    );
    // Two idle minutes, and the session is over (the card pulled ends it at once: /holder/logout).
    const clock = ctx.deps.clock as ReturnType<typeof fixedClock>;
    clock.advance(121_000);
    try {
      assert.equal((await reader("GET", "/holder/cards")).status, 401);
    } finally {
      clock.advance(-121_000);
    }
    assert.equal((await asHolder("POST", "/holder/logout", {})).status, 204);
    assert.equal((await asHolder("GET", "/holder/cards")).status, 401);
  });
});
