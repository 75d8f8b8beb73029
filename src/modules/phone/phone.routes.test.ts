import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, cardInState, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";

forEachDialect("the 12333 and 96102 lines over the HTTP next-action interface", (dialect) => {
  const ctx = useTestApp(dialect);
  const keys = {} as { hangzhou: string; ningbo: string };
  before(async () => {
    await seedAreas(ctx.deps);
    const key = async (areaCode: string) =>
      (
        await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
          name: `12333 ${areaCode}`,
          role: "outlet_clerk",
          areaCode,
          channel: "phone",
        })
      ).token;
    keys.hangzhou = await key("330100");
    keys.ningbo = await key("330200");
  });

  /** A call as the switch drives it: start, then each thing the caller does. */
  async function dial(line: "12333" | "96102", token = keys.hangzhou) {
    const call = callAs(ctx.app, token);
    const callId = `call-${randomUUID()}`;
    const first = await call("POST", "/ivr/calls", { callId, line, caller: "13912345678" });
    assert.equal(first.status, 200, JSON.stringify(first.body));
    return {
      callId,
      first: first.body,
      press: (digits: string) => call("POST", `/ivr/calls/${callId}/events`, { event: "digits", digits }),
      event: (body: object) => call("POST", `/ivr/calls/${callId}/events`, body),
      transcript: () => call("GET", `/ivr/calls/${callId}/transcript`),
    };
  }
  const texts = (r: { body: { prompts: { text: string }[] } }) => r.body.prompts.map((p) => p.text).join("");

  it("96102: the caller keys the ID number (* for X) and the card password; the card is pre-lost at once with its blacklist entry, the reference read back, audited on the phone channel", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "电话挂失" });
    const phone = await dial("96102");
    assert.equal(phone.first.action, "collect");
    assert.match(texts({ body: phone.first }), /社会保障卡挂失热线.*按1/);
    assert.equal((await phone.press("1")).body.collect.maxDigits, 18);
    const keyed = `${c.idNumber.replace("X", "*")}#`;
    const readBack = await phone.press(keyed);
    assert.match(
      texts(readBack),
      new RegExp(
        `您输入的身份证号码是：${[...c.idNumber.slice(0, 3)].map((d) => "零幺二三四五六七八九"[Number(d)]).join(" ")}`,
      ),
    );
    const stored = async () =>
      (
        await ctx.deps.database.db
          .selectFrom("ivr_calls")
          .select("state")
          .where("call_id", "=", phone.callId)
          .executeTakeFirstOrThrow()
      ).state;
    assert.ok(!(await stored()).includes(c.idNumber), "the ID number keyed is sealed in the call's state");
    assert.equal((await phone.press("1")).body.prompts[0].key, "enter_pin");
    const done = await phone.press(`${initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)}#`);
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.action, "hangup");
    assert.match(
      texts(done),
      new RegExp(`尾号${c.cardNumber.slice(-4)}的社会保障卡已临时挂失，即时生效。挂失受理编号为：`),
    );

    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "temporarily_lost");
    const card = await ctx.deps.cards.cardByNumber(c.cardNumber);
    const listed = await ctx.deps.database.db
      .selectFrom("blacklist_changes")
      .select("state")
      .where("card_id_code", "=", card.card_id_code)
      .execute();
    assert.deepEqual(
      listed.map((l) => l.state),
      ["temporarily_lost"],
    );
    const audit = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select(["action", "channel"])
      .where("action", "in", ["phone.pre_loss", "card.report_temporary_loss"])
      .where("subject_id", "in", [card.id, card.person_id])
      .execute();
    assert.deepEqual(
      audit.map((a) => a.channel),
      ["phone", "phone"],
    );

    const transcript = await phone.transcript();
    const said = JSON.stringify(transcript.body);
    assert.ok(
      !said.includes(c.idNumber) && !said.includes(initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)),
      said,
    );
    assert.equal(transcript.body.caller, "139****5678");
    assert.ok(transcript.body.endedAt, "the call ended");
    assert.deepEqual(
      JSON.parse(ctx.deps.cipher.decrypt(await stored())).node,
      { at: "ended" },
      "nothing keyed is kept after the call",
    );
    const after = await phone.press("1");
    assert.deepEqual([after.status, after.body.action, after.body.prompts], [200, "hangup", []]);
  });

  it("12333: card status by ID number (archived told in words), wrong passwords counted on the card's lockout and at most three per call", async () => {
    const c = await cardInState(ctx.deps, "archived", { name: "电话查询" });
    const phone = await dial("12333");
    await phone.press("1");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    const status = await phone.press("1");
    assert.match(texts(status), /封存，即社保卡的社保功能尚未启用/);
    assert.match(texts(status), /下面返回主菜单/);

    await phone.press("3");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    await phone.press("1");
    let r = await phone.press("000000#");
    const right = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    if (right === "000000") r = await phone.press("111111#");
    assert.match(texts(r), /密码错误，您还可以尝试5次/);
    await phone.press("000001#");
    const third = await phone.press("000002#");
    assert.deepEqual(
      [third.body.action, third.body.prompts.map((p: { key: string }) => p.key)],
      ["hangup", ["password_tries_used", "goodbye"]],
    );
    const attempts = await ctx.deps.database.db
      .selectFrom("pin_attempts")
      .select(["channel", "result"])
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(c.cardNumber)).id)
      .execute();
    assert.equal(attempts.filter((a) => a.channel === "phone" && a.result.startsWith("wrong")).length, 3);
  });

  it("a call's password keyed twice at once is tried once: the call is held before the card's password is checked", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "并发密码" });
    const phone = await dial("12333");
    await phone.press("3");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    await phone.press("1");
    const wrong = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) === "000000" ? "111111#" : "000000#";
    const all = await Promise.all([phone.press(wrong), phone.press(wrong)]);
    const taken = all.filter((r) => r.status === 200).length;
    assert.ok(taken >= 1);
    assert.ok(
      all.every((r) => r.status === 200 || r.body.code === "CONCURRENT_MODIFICATION"),
      JSON.stringify(all.map((r) => r.body)),
    );
    const attempts = await ctx.deps.database.db
      .selectFrom("pin_attempts")
      .select("result")
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(c.cardNumber)).id)
      .execute();
    assert.equal(attempts.length, taken, "one password attempt per event taken, none for a refused one");
  });

  it("an event that arrives while another event of the call is being answered is refused before its password is tried; a hold left by a dead worker frees after 30 s", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "持有通话" });
    const phone = await dial("12333");
    await phone.press("3");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    await phone.press("1");
    const db = ctx.deps.database.db;
    const row = await db
      .selectFrom("ivr_calls")
      .selectAll()
      .where("call_id", "=", phone.callId)
      .executeTakeFirstOrThrow();
    // A worker takes the call for an event (what the first of two events at once does) and dies there.
    const now = ctx.clock.now();
    await db
      .updateTable("ivr_calls")
      .set({ version: row.version + 1, held_until: new Date(now.getTime() + 30_000).toISOString() })
      .where("call_id", "=", phone.callId)
      .execute();
    const wrong = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) === "000000" ? "111111#" : "000000#";
    const refused = await phone.press(wrong);
    assert.deepEqual([refused.status, refused.body.code], [409, "CONCURRENT_MODIFICATION"]);
    const cardId = (await ctx.deps.cards.cardByNumber(c.cardNumber)).id;
    const tried = () =>
      db.selectFrom("pin_attempts").select("result").where("card_id", "=", cardId).execute();
    assert.equal((await tried()).length, 0, "no password tried while the call is held");
    ctx.clock.advance(30_000);
    const later = await phone.press(wrong);
    assert.equal(later.status, 200, JSON.stringify(later.body));
    assert.equal((await tried()).length, 1);
    const after = await db
      .selectFrom("ivr_calls")
      .select("held_until")
      .where("call_id", "=", phone.callId)
      .executeTakeFirstOrThrow();
    assert.equal(after.held_until, null, "the answered event frees the call");
  });

  it("the medical insurance number (the card's bar code, seed 003) by ID number, read digit by digit", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "条码查询" });
    const none = await dial("12333");
    await none.press("2");
    await none.press(`${c.idNumber.replace("X", "*")}#`);
    assert.match(texts(await none.press("1")), /没有查到您的医保个人编号/);
    await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: c.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-01-01",
    });
    const enrolment = await ctx.deps.database.db
      .selectFrom("enrolments")
      .select("personal_number")
      .where("person_id", "=", (await ctx.deps.cards.cardByNumber(c.cardNumber)).person_id)
      .executeTakeFirstOrThrow();
    const phone = await dial("12333");
    await phone.press("2");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    const answer = await phone.press("1");
    const spelledNumber = [...enrolment.personal_number]
      .map((d) => "零幺二三四五六七八九"[Number(d)] ?? d)
      .join(" ");
    assert.ok(
      texts(answer).includes(`您的医保卡号（社保卡条形码号码）是：${spelledNumber}。`),
      texts(answer),
    );
  });

  it("the account and the contributions after the password; outlets and the initial password without one; 0 to an agent anywhere; 9 in English", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "电话账户" });
    const phone = await dial("12333");
    await phone.press("3");
    await phone.press(`${c.idNumber.replace("X", "*")}#`);
    await phone.press("1");
    const account = await phone.press(`${initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)}#`);
    assert.match(texts(account), /您的医保个人账户余额为0\.00元。近期没有消费记录。/);
    const outlets = await phone.press("6");
    assert.match(texts(outlets), /社保卡初始密码为社会保障卡卡号的后6位/);
    const english = await phone.press("9");
    assert.equal(english.body.lang, "en");
    assert.match(texts(english), /press 1/);
    const agent = await phone.press("0");
    assert.deepEqual([agent.body.action, agent.body.queue], ["transfer", "12333-agents"]);

    const insurance = await dial("12333");
    await insurance.press("4");
    await insurance.press(`${c.idNumber.replace("X", "*")}#`);
    await insurance.press("1");
    const paid = await insurance.press(`${initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)}#`);
    assert.match(texts(paid), /没有查到参保缴费记录。您目前没有欠费。/);
  });

  it("refuses what a switch or a stranger should not send: unknown calls, another area's calls, bad digits, a call's two events at once", async () => {
    const phone = await dial("12333");
    const call = callAs(ctx.app, keys.hangzhou);
    assert.equal(
      (await call("POST", "/ivr/calls/nope/events", { event: "timeout" })).body.code,
      "IVR_CALL_NOT_FOUND",
    );
    const other = callAs(ctx.app, keys.ningbo);
    const stranger = await other("POST", `/ivr/calls/${phone.callId}/events`, {
      event: "digits",
      digits: "1",
    });
    assert.deepEqual([stranger.status, stranger.body.code], [404, "IVR_CALL_NOT_FOUND"]);
    for (const body of [
      { event: "digits", digits: "12a" },
      { event: "digits", digits: "1\u0000" },
      { event: "digits", digits: "1".repeat(25) },
      { event: "shout" },
      { event: "digits", digits: 5 },
    ]) {
      const bad = await phone.event(body);
      assert.equal(bad.status, 400, JSON.stringify(body));
    }
    for (const body of [
      { callId: "x".repeat(65), line: "12333", caller: "1" },
      { callId: "a b", line: "12333", caller: "13800000000" },
      { callId: "ok", line: "110", caller: "13800000000" },
    ])
      assert.equal((await call("POST", "/ivr/calls", body)).status, 400, JSON.stringify(body));
    // The same call started twice (a switch's retry): the same first step, one call.
    const again = await call("POST", "/ivr/calls", {
      callId: phone.callId,
      line: "12333",
      caller: "13912345678",
    });
    assert.equal(again.status, 200);
    // Two events of one call at once: each is taken in turn or refused (409), never lost or both on one state.
    const before = (await phone.transcript()).body.transcript.length;
    const both = await Promise.all([phone.press("5"), phone.press("5")]);
    const taken = both.filter((r) => r.status === 200).length;
    assert.ok(
      both.every((r) => r.status === 200 || r.body.code === "CONCURRENT_MODIFICATION"),
      JSON.stringify(both.map((r) => r.body)),
    );
    const lines = (await phone.transcript()).body.transcript.slice(before);
    assert.equal(
      lines.filter((l: { by: string; text: string }) => l.by === "caller" && l.text === "5").length,
      taken,
    );
    // Three silences: an agent.
    const silent = await dial("96102");
    await silent.event({ event: "timeout" });
    await silent.event({ event: "timeout" });
    const transfer = await silent.event({ event: "timeout" });
    assert.equal(transfer.body.action, "transfer");
    // A hang-up mid-flow leaves nothing done.
    const c = await cardInState(ctx.deps, "active");
    const hung = await dial("96102");
    await hung.press("1");
    await hung.press(`${c.idNumber.replace("X", "*")}#`);
    await hung.press("1");
    assert.equal((await hung.event({ event: "hangup" })).body.action, "hangup");
    assert.equal(
      (await hung.press(`${initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY)}#`)).body.action,
      "hangup",
    );
    assert.equal((await ctx.deps.cards.cardByNumber(c.cardNumber)).state, "active");
  });
});
