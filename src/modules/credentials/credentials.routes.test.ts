import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  type Method,
  newIdNumber,
  returnFileFor,
  seedAreas,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { encipherFormat1, encipherFormat4 } from "../../modules/keys/pin-block.ts";
import { type Actor, SYSTEM_ACTOR } from "../../shared/auth.ts";

const defaultInitial = (cardNumber: string) =>
  initialPin(cardNumber, { initialPassword: { rule: "card_number_last6" } });

forEachDialect("social security passwords", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as Record<string, string>;
  const keys = {} as Record<
    "web" | "phone" | "kiosk" | "pharmacy" | "hospital",
    { id: string; token: string }
  >;
  let ip = 10;

  const call = (token: string, method: Method, url: string, payload?: object, remoteAddress = "127.0.0.1") =>
    callAs(ctx.app, token)(method, url, payload, { remoteAddress });

  /** A new holder with an issued card (active unless told otherwise) in an area. */
  async function card(area = "330100", activate = true) {
    const idNumber = newIdNumber(area === "330200" ? "330203" : "330106", "1990-03-07");
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: "持卡人",
      ethnicity: "01",
      areaCode: area,
      photoRef: "p.jpg",
    });
    const c = await ctx.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: area });
    const batch = await ctx.deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: area });
    await ctx.deps.cards.importReturnFile(
      SYSTEM_ACTOR,
      batch.batchId,
      returnFileFor(batch, (n) => n === c.cardNumber),
    );
    await ctx.deps.cards.issue(SYSTEM_ACTOR, c.cardNumber, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate,
    });
    return { idNumber, cardNumber: c.cardNumber };
  }

  before(async () => {
    const { deps } = ctx;
    await seedAreas(deps);
    await deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330200", {
      effectiveFrom: "2026-11-22",
      policy: {
        ...NATIONAL_DEFAULT_POLICY,
        initialPassword: { rule: "fixed", value: "123456" },
        lockout: { mode: "daily", threshold: 3 },
        queryOnlyUntilPasswordChanged: true,
      },
    });
    tokens.clerk = await staffToken(deps, "hz.clerk", "outlet_clerk", "330100");
    tokens.nbClerk = await staffToken(deps, "nb.clerk", "outlet_clerk", "330200");
    tokens.pharmacist = await staffToken(deps, "hz.pharmacy", "pharmacy_operator", "330100");
    const key = async (
      name: string,
      role: "outlet_clerk" | "pharmacy_operator" | "medical_operator",
      channel: Actor["channel"],
    ) => {
      const k = await deps.staff.createApiKey(SYSTEM_ACTOR, { name, role, areaCode: "330100", channel });
      return { id: k.id, token: k.token };
    };
    keys.web = await key("网上服务大厅", "outlet_clerk", "web");
    keys.phone = await key("12333 IVR", "outlet_clerk", "phone");
    keys.kiosk = await key("自助终端 01", "outlet_clerk", "kiosk");
    keys.pharmacy = await key("药店 POS", "pharmacy_operator", "terminal");
    keys.hospital = await key("医院 HIS", "medical_operator", "terminal");
  });

  /** What each channel sends for a PIN: terminals a PIN block (format 4 or 1), the others the digits. */
  function pinBody(channel: keyof typeof keys | "counter", pin: string, idNumber: string) {
    if (channel === "pharmacy" || channel === "kiosk") {
      const k = ctx.deps.machine.terminalPinKey(keys[channel].id, 4);
      return {
        pinBlock: {
          format: 4 as const,
          block: encipherFormat4(k, pin, idNumber.slice(0, 17)).toString("hex"),
        },
      };
    }
    if (channel === "hospital") {
      const k = ctx.deps.machine.terminalPinKey(keys.hospital.id, 1);
      return { pinBlock: { format: 1 as const, block: encipherFormat1(k, pin).toString("hex") } };
    }
    return { pin };
  }
  const tokenOf = (channel: keyof typeof keys | "counter") =>
    channel === "counter" ? tokens.clerk : keys[channel].token;

  it("gives the initial password by policy and lets only queries through until it is changed where the policy says so", async () => {
    const hz = await card();
    const ok = await call(tokens.clerk, "POST", `/cards/${hz.cardNumber}/password/verify`, {
      pin: defaultInitial(hz.cardNumber),
      purpose: "transaction",
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.deepEqual(ok.body, { verified: true, initialPassword: true, attemptsLeft: 6 });
    const log = await call(tokens.clerk, "GET", `/cards/${hz.cardNumber}/password`);
    assert.deepEqual(
      log.body.recentAttempts.map((a: { result: string; channel: string; purpose: string }) => [
        a.result,
        a.channel,
        a.purpose,
      ]),
      [["ok", "counter", "transaction"]],
      "a right password's attempt is recorded too (group-committed)",
    );

    const nb = await card("330200");
    const query = await call(tokens.nbClerk, "POST", `/cards/${nb.cardNumber}/password/verify`, {
      pin: "123456",
      purpose: "query",
    });
    assert.equal(query.status, 200);
    const pay = await call(tokens.nbClerk, "POST", `/cards/${nb.cardNumber}/password/verify`, {
      pin: "123456",
      purpose: "transaction",
    });
    assert.deepEqual([pay.status, pay.body.code], [403, "PASSWORD_CHANGE_REQUIRED"]);
    const changed = await call(tokens.nbClerk, "POST", `/cards/${nb.cardNumber}/password/change`, {
      current: { pin: "123456" },
      next: { pin: "731904" },
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const after = await call(tokens.nbClerk, "POST", `/cards/${nb.cardNumber}/password/verify`, {
      pin: "731904",
      purpose: "transaction",
    });
    assert.deepEqual(after.body, { verified: true, initialPassword: false, attemptsLeft: 3 });
  });

  it("stores only a keyed verification value: no unkeyed hash of any of the million PINs matches it", {
    skip: dialect !== "sqlite" && "the stored value does not depend on the database: checked once, on SQLite",
  }, async () => {
    const c = await card();
    const row = await ctx.deps.database.db
      .selectFrom("card_passwords")
      .selectAll()
      .where("card_id", "=", (await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).id)
      .executeTakeFirstOrThrow();
    const code = (await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).cardIdCode;
    assert.match(row.pvv, /^[0-9a-f]{64}$/);
    for (let n = 0; n < 1_000_000; n++) {
      const pin = String(n).padStart(6, "0");
      for (const alg of ["sm3", "sha256"]) {
        assert.notEqual(createHash(alg).update(`${code}|${pin}`).digest("hex"), row.pvv);
      }
    }
    assert.ok(
      ctx.deps.machine.verifyPin(code, { pin: defaultInitial(c.cardNumber) }, row.pvv),
      "only the machine's key reproduces it",
    );
  });

  it("locks at exactly the threshold under 50 concurrent wrong attempts from every channel that verifies", async () => {
    const c = await card();
    const channels = ["counter", "phone", "kiosk", "pharmacy", "hospital"] as const;
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => {
        const channel = channels[i % channels.length];
        return call(
          tokenOf(channel),
          "POST",
          `/cards/${c.cardNumber}/password/verify`,
          { ...pinBody(channel, "000000", c.idNumber), purpose: "query" },
          `10.1.0.${i}`,
        );
      }),
    );
    const codes = results.map((r) => r.body.code);
    assert.equal(codes.filter((x) => x === "PASSWORD_WRONG").length, 5, JSON.stringify(codes));
    assert.equal(codes.filter((x) => x === "PASSWORD_LOCKED").length, 45, JSON.stringify(codes));
    const attempts = await ctx.deps.database.db
      .selectFrom("pin_attempts")
      .select(["result", "channel"])
      .where("card_id", "=", (await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).id)
      .execute();
    assert.equal(attempts.filter((a) => a.result.startsWith("wrong")).length, 6);
    assert.equal(attempts.filter((a) => a.result === "wrong_locked").length, 1);
    assert.deepEqual(
      new Set(attempts.map((a) => a.channel)),
      new Set(["counter", "phone", "kiosk", "terminal"]),
    );
    for (const channel of channels) {
      const right = await call(
        tokenOf(channel),
        "POST",
        `/cards/${c.cardNumber}/password/verify`,
        { ...pinBody(channel, defaultInitial(c.cardNumber), c.idNumber), purpose: "query" },
        "10.2.0.1",
      );
      assert.deepEqual([right.status, right.body.code], [423, "PASSWORD_LOCKED"], channel);
    }
    assert.equal((await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).state, "locked");
  });

  it("resets the count on a right password before the threshold, and counts per day in daily mode", async () => {
    const c = await card();
    const verify = (pin: string) =>
      call(
        tokens.clerk,
        "POST",
        `/cards/${c.cardNumber}/password/verify`,
        { pin, purpose: "query" },
        "10.3.0.1",
      );
    for (let i = 0; i < 5; i++) assert.equal((await verify("000000")).body.details.attemptsLeft, 5 - i);
    assert.equal((await verify(defaultInitial(c.cardNumber))).status, 200);
    for (let i = 0; i < 5; i++) await verify("000000");
    assert.equal(
      (await verify(defaultInitial(c.cardNumber))).status,
      200,
      "five wrong after a right one do not lock",
    );

    const nb = await card("330200");
    const nbVerify = (pin: string) =>
      call(
        tokens.nbClerk,
        "POST",
        `/cards/${nb.cardNumber}/password/verify`,
        { pin, purpose: "query" },
        "10.3.0.2",
      );
    await nbVerify("000000");
    await nbVerify("000000");
    ctx.clock.advance(24 * 3600_000);
    try {
      const nbToken = (await ctx.deps.staff.login({ username: "nb.clerk", password: "Test-password-2026" }))
        .token;
      const again = (pin: string) =>
        call(
          nbToken,
          "POST",
          `/cards/${nb.cardNumber}/password/verify`,
          { pin, purpose: "query" },
          "10.3.0.2",
        );
      assert.equal((await again("000000")).body.details.attemptsLeft, 2, "a new day starts a new count");
      await again("000000");
      assert.equal((await again("000000")).body.code, "PASSWORD_LOCKED");
    } finally {
      ctx.clock.advance(-24 * 3600_000);
    }
  });

  it("a channel is not a clerk: kiosk, hotline, online platform and pharmacy keys never unlock or reset; the counter does", async () => {
    const c = await card();
    for (let i = 0; i < 6; i++)
      await call(
        keys.kiosk.token,
        "POST",
        `/cards/${c.cardNumber}/password/verify`,
        { ...pinBody("kiosk", "000000", c.idNumber), purpose: "query" },
        `10.8.0.${i}`,
      );
    const state = async () => (await call(tokens.clerk, "GET", `/cards/${c.cardNumber}/password`)).body;
    assert.equal((await state()).locked, true);
    const holder = { holderIdNumber: c.idNumber };
    for (const channel of ["kiosk", "phone", "web", "pharmacy", "hospital"] as const) {
      const unlock = await call(tokenOf(channel), "POST", `/cards/${c.cardNumber}/password/unlock`, holder);
      assert.deepEqual([unlock.status, unlock.body.code], [403, "FORBIDDEN"], `${channel} unlock`);
      const reset = await call(tokenOf(channel), "POST", `/cards/${c.cardNumber}/password/reset`, {
        ...holder,
        next: { pin: "582046" },
      });
      assert.deepEqual([reset.status, reset.body.code], [403, "FORBIDDEN"], `${channel} reset`);
    }
    assert.equal((await state()).locked, true, "still locked after every channel tried");
    // What the seeds reserve for the outlet is refused off the counter too.
    for (const [url, body] of [
      ["formal-loss", holder],
      ["cancel", { reason: "holder_request" }],
      ["replacements", { ...holder, reason: "damaged", consent: true }],
      ["temporary-loss/revoke", holder],
    ] as const) {
      const r = await call(keys.phone.token, "POST", `/cards/${c.cardNumber}/${url}`, body);
      assert.deepEqual([r.status, r.body.code], [403, "FORBIDDEN"], `phone ${url}`);
    }
    // A key cannot claim the counter: the API refuses to make one, and one already stored gets nothing.
    const admin = await staffToken(ctx.deps, "hz.keys.admin", "city_admin", "330100");
    const counterKey = await call(admin, "POST", "/api-keys", {
      name: "假柜面",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "counter",
    });
    assert.deepEqual([counterKey.status, counterKey.body.code], [422, "KEY_CHANNEL_NOT_ALLOWED"]);
    assert.match(counterKey.body.message, /柜面业务须由工作人员登录办理/);
    const smuggled = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "旧柜面密钥",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "terminal",
    });
    await ctx.deps.database.db
      .updateTable("api_keys")
      .set({ channel: "counter" })
      .where("id", "=", smuggled.id)
      .execute();
    const viaSmuggled = await call(smuggled.token, "POST", `/cards/${c.cardNumber}/password/unlock`, holder);
    assert.deepEqual([viaSmuggled.status, viaSmuggled.body.code], [403, "FORBIDDEN"]);
    // The holder's self-service still works where the seeds put it, and the clerk unlocks at the counter.
    const unlocked = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/unlock`, holder);
    assert.equal(unlocked.status, 200, JSON.stringify(unlocked.body));
    const again = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/unlock`, holder);
    assert.deepEqual(
      [again.status, again.body.code],
      [409, "PASSWORD_NOT_LOCKED"],
      "a password that is not locked is not unlocked",
    );
    const changed = await call(keys.kiosk.token, "POST", `/cards/${c.cardNumber}/password/change`, {
      current: pinBody("kiosk", defaultInitial(c.cardNumber), c.idNumber),
      next: pinBody("kiosk", "731904", c.idNumber),
    });
    assert.equal(changed.status, 200, JSON.stringify(changed.body));
    const viaPhone = await call(keys.phone.token, "POST", `/cards/${c.cardNumber}/password/change`, {
      current: { pin: "731904" },
      next: { pin: "582046" },
    });
    assert.deepEqual(
      [viaPhone.status, viaPhone.body.code],
      [403, "FORBIDDEN"],
      "the hotline does not change it",
    );
    // A kiosk pre-losses with the holder's ID number and password, never by the card number alone.
    const bare = await call(keys.kiosk.token, "POST", `/cards/${c.cardNumber}/temporary-loss`, {});
    assert.deepEqual([bare.status, bare.body.code], [403, "FORBIDDEN"]);
    const lost = await call(keys.kiosk.token, "POST", "/kiosk/pre-loss", {
      idNumber: c.idNumber,
      ...pinBody("kiosk", "731904", c.idNumber),
    });
    assert.equal(lost.body.state, "temporarily_lost", JSON.stringify(lost.body));
  });

  it("unlocks and resets only at the outlet after the ID check; the holder then sets a new password", async () => {
    const c = await card();
    for (let i = 0; i < 6; i++)
      await call(
        tokens.clerk,
        "POST",
        `/cards/${c.cardNumber}/password/verify`,
        { pin: "000000", purpose: "query" },
        "10.4.0.1",
      );
    const pharmacy = await call(tokens.pharmacist, "POST", `/cards/${c.cardNumber}/password/unlock`, {
      holderIdNumber: c.idNumber,
    });
    assert.equal(pharmacy.status, 403);
    const wrongId = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/unlock`, {
      holderIdNumber: newIdNumber(),
    });
    assert.equal(wrongId.body.code, "HOLDER_ID_MISMATCH");
    const agent = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/unlock`, {
      holderIdNumber: c.idNumber,
      agent: { idNumber: newIdNumber(), name: "代办人" },
    });
    assert.equal(agent.body.code, "AGENT_NOT_ALLOWED");
    const unlocked = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/unlock`, {
      holderIdNumber: c.idNumber,
    });
    assert.equal(unlocked.status, 200);
    assert.equal((await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber)).state, "active");
    assert.equal(
      (
        await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/verify`, {
          pin: defaultInitial(c.cardNumber),
          purpose: "query",
        })
      ).status,
      200,
    );

    const weak = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/reset`, {
      holderIdNumber: c.idNumber,
      next: { pin: "111111" },
    });
    assert.deepEqual(
      [weak.status, weak.body.code, weak.body.details.reason],
      [400, "WEAK_PASSWORD", "same_digit"],
    );
    assert.equal(
      weak.body.message,
      "新密码过于简单：不能是同一个数字",
      "the reason in words, in the user's language",
    );
    assert.deepEqual(Object.keys(weak.body.details), ["reason"], "no untranslated reasonText");
    const reset = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/reset`, {
      holderIdNumber: c.idNumber,
      next: { pin: "582046" },
    });
    assert.equal(reset.status, 200);
    assert.deepEqual(
      (
        await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/password/verify`, {
          pin: "582046",
          purpose: "query",
        })
      ).body,
      {
        verified: true,
        initialPassword: false,
        attemptsLeft: 6,
      },
    );
    const audit = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "password.%")
      .execute();
    assert.ok(
      audit.some((a) => a.action === "password.unlock") &&
        audit.some((a) => a.action === "password.reset") &&
        audit.some((a) => a.action === "password.locked"),
    );
  });

  it("changes the password with the old one, refuses weak ones, and activates an archived card", async () => {
    const c = await card("330100", false);
    const initial = defaultInitial(c.cardNumber);
    const change = (next: string, current = initial) =>
      call(
        tokens.pharmacist,
        "POST",
        `/cards/${c.cardNumber}/password/change`,
        { current: { pin: current }, next: { pin: next } },
        "10.5.0.1",
      );
    const reasons: [string, string][] = [
      ["777777", "same_digit"],
      ["456789", "sequence"],
      ["987654", "sequence"],
      // An ID number ending in X has no 6-digit tail to refuse (the rule's own test covers that case).
      ...(/^\d{6}$/.test(c.idNumber.slice(-6))
        ? [[c.idNumber.slice(-6), "id_number"] as [string, string]]
        : []),
      ["900307", "birth_date"],
    ];
    for (const [pin, reason] of reasons) {
      const r = await change(pin);
      assert.deepEqual([r.body.code, r.body.details?.reason], ["WEAK_PASSWORD", reason], pin);
    }
    const wrongOld = await change("582046", "000001");
    assert.equal(wrongOld.body.code, "PASSWORD_WRONG");
    assert.equal((await change("582046")).status, 200);
    const now = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, c.cardNumber);
    assert.deepEqual(
      [now.state, now.socialSecurityFunction],
      ["active", "activated"],
      "changing the password activates the card",
    );
  });

  it("makes terminals send PIN blocks and refuses blocks it cannot decipher", async () => {
    const c = await card();
    const clear = await call(
      keys.pharmacy.token,
      "POST",
      `/cards/${c.cardNumber}/password/verify`,
      { pin: defaultInitial(c.cardNumber), purpose: "transaction" },
      "10.6.0.1",
    );
    assert.deepEqual([clear.status, clear.body.code], [400, "PIN_BLOCK_REQUIRED"]);
    // A kiosk's agent enciphers the PIN typed on the screen's pad: a kiosk key with a clear PIN is refused too.
    const kioskClear = await call(keys.kiosk.token, "POST", "/kiosk/pre-loss", {
      idNumber: c.idNumber,
      pin: defaultInitial(c.cardNumber),
    });
    assert.deepEqual([kioskClear.status, kioskClear.body.code], [400, "PIN_BLOCK_REQUIRED"]);
    const good = await call(
      keys.pharmacy.token,
      "POST",
      `/cards/${c.cardNumber}/password/verify`,
      { ...pinBody("pharmacy", defaultInitial(c.cardNumber), c.idNumber), purpose: "transaction" },
      "10.6.0.1",
    );
    assert.equal(good.status, 200, JSON.stringify(good.body));
    const otherKey = encipherFormat4(
      ctx.deps.machine.terminalPinKey(keys.hospital.id, 4),
      defaultInitial(c.cardNumber),
      c.idNumber.slice(0, 17),
    );
    const bad = await call(
      keys.pharmacy.token,
      "POST",
      `/cards/${c.cardNumber}/password/verify`,
      { pinBlock: { format: 4, block: otherKey.toString("hex") }, purpose: "transaction" },
      "10.6.0.1",
    );
    assert.deepEqual([bad.status, bad.body.code], [400, "INVALID_PIN_BLOCK"]);
    const legacy = await call(
      keys.hospital.token,
      "POST",
      `/cards/${c.cardNumber}/password/verify`,
      { ...pinBody("hospital", defaultInitial(c.cardNumber), c.idNumber), purpose: "transaction" },
      "10.6.0.2",
    );
    assert.equal(legacy.status, 200);
  });

  it("60 wrong passwords at once from one source across 12 cards: exactly 30 are tried, the rest throttled", async () => {
    const victims = [];
    for (let i = 0; i < 12; i++) victims.push(await card());
    const guesser = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "12333 语音 98",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "phone",
    });
    const answers = await Promise.all(
      victims.flatMap((v) =>
        Array.from({ length: 5 }, () =>
          call(
            guesser.token,
            "POST",
            `/cards/${v.cardNumber}/password/verify`,
            { pin: "000000", purpose: "query" },
            "10.7.9.9",
          ),
        ),
      ),
    );
    const codes = answers.map((a) => a.body.code);
    assert.equal(codes.filter((c) => c === "PASSWORD_WRONG").length, 30, codes.join(" "));
    assert.equal(codes.filter((c) => c === "TOO_MANY_ATTEMPTS").length, 30);
  });

  it("throttles a source that guesses across many cards, with a retry time, without touching other sources", async () => {
    const victims = [];
    for (let i = 0; i < 8; i++) victims.push(await card());
    const guesser = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "12333 语音 99",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "phone",
    });
    let throttled:
      | {
          status: number;
          body: { code: string; details: { retryAt: string } };
          headers: Record<string, unknown>;
        }
      | undefined;
    let wrong = 0;
    for (let round = 0; round < 5 && !throttled; round++) {
      for (const v of victims) {
        const r = await call(
          guesser.token,
          "POST",
          `/cards/${v.cardNumber}/password/verify`,
          { pin: "000000", purpose: "query" },
          "10.7.0.1",
        );
        if (r.body.code === "TOO_MANY_ATTEMPTS") {
          throttled = r;
          break;
        }
        wrong += 1;
      }
    }
    assert.ok(throttled, "the source was throttled");
    assert.equal(wrong, 30);
    assert.equal(throttled.status, 429);
    assert.match(throttled.body.details.retryAt, /^2026-11-22T02:10:00/);
    assert.ok(Number(throttled.headers["retry-after"]) > 0);
    for (const v of victims)
      assert.notEqual(
        (await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, v.cardNumber)).state,
        "locked",
        "no card was locked",
      );
    const other = await call(
      tokens.clerk,
      "POST",
      `/cards/${victims[0].cardNumber}/password/verify`,
      { pin: defaultInitial(victims[0].cardNumber), purpose: "query" },
      "10.7.0.2",
    );
    assert.equal(other.status, 200, "another terminal and source are not affected");
  });

  it("refuses a card that cannot be used, and shows the password's state without the password", async () => {
    const c = await card();
    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    const r = await call(
      tokens.clerk,
      "POST",
      `/cards/${c.cardNumber}/password/verify`,
      { pin: defaultInitial(c.cardNumber), purpose: "transaction" },
      `10.8.0.${ip++}`,
    );
    assert.deepEqual(
      [r.status, r.body.code, r.body.details.state],
      [409, "CARD_NOT_USABLE", "temporarily_lost"],
    );
    const status = await call(tokens.clerk, "GET", `/cards/${c.cardNumber}/password`);
    assert.equal(status.body.initialPassword, true);
    assert.equal(status.body.locked, false);
    assert.match(status.body.bankPassword, /partner bank/);
    assert.ok(!JSON.stringify(status.body).includes(defaultInitial(c.cardNumber)));
  });
});
