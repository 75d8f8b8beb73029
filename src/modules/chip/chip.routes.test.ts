import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  newIdNumber,
  produceCard,
  seedAreas,
  seedCardKeys,
  useTestApp,
  useTestDeps,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { createVirtualPsam } from "../../modules/chip/psam.ts";
import type { PurchaseFields } from "../../modules/chip/purchase.ts";
import {
  debit,
  keysSam,
  type ReaderConfig,
  type ReaderError,
  readCardBasic,
  verifyPin,
} from "../../modules/chip/reader.ts";
import { createVirtualCard, SSSE_AID } from "../../modules/chip/virtual-card.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { chinaDate } from "../../shared/clock.ts";

forEachDialect("chip: personalisation and a terminal reading the card", (dialect) => {
  const t = useTestDeps(dialect);
  const hsm = () => t.deps.hsm!;

  before(async () => {
    await seedCardKeys(t.deps);
  });

  const producedCard = () => produceCard(t.deps);

  const reader = (overrides: Partial<ReaderConfig> = {}): ReaderConfig => ({
    terminalNo: "330100000001",
    deviceNo: "PHARMACY-01",
    sam: keysSam((cardIdCode) =>
      hsm().cardAuthenticationKeys({
        algorithm: "SM4",
        version: 1,
        city: cardIdCode.slice(0, 6),
        cardIdCode,
      }),
    ),
    isBlacklisted: (cardIdCode) => t.deps.cards.isBlacklisted(cardIdCode),
    supportedRegions: ["33"],
    today: () => chinaDate(t.clock.now()),
    ...overrides,
  });

  it("authenticates a personalised card both ways and reads iReadCardBas fields; its PIN verifies on the chip", async () => {
    const c = await producedCard();
    const chip = createVirtualCard(c.image);
    const basic = await readCardBasic(chip, reader());
    assert.equal(basic.ssn, c.idNumber);
    assert.equal(basic.cardNumber, c.cardNumber);
    assert.equal(basic.cardIdCode, c.cardIdCode);
    assert.equal(basic.name, "张伟");
    assert.equal(basic.specVersion, "3.00");
    assert.equal(basic.validUntil, "20361121");
    assert.equal(
      basic.pipe,
      `330100|${c.idNumber}|${c.cardNumber}|${c.cardIdCode}|张伟||3.00|20261122|20361121|330100000001|PHARMACY-01|`,
    );
    const pin = Buffer.from(initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY), "hex");
    const verify = chip.transmit(Buffer.concat([Buffer.from("0020000003", "hex"), pin]));
    assert.equal(verify.toString("hex"), "9000");
  });

  it("issues a PSAM to a registered pharmacy terminal; the terminal authenticates its own city's cards with it", async () => {
    await t.deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: "330100000001",
      areaCode: "330100",
      name: "民生大药房 1 号机",
    });
    await assert.rejects(
      t.deps.terminals.register(SYSTEM_ACTOR, { terminalNo: "320100000001", areaCode: "330100", name: "x" }),
      /12 digits/,
    );
    const image = await t.deps.terminals.issuePsam(SYSTEM_ACTOR, "330100000001");
    assert.match(image.serial, /^PSAM[0-9A-F]{16}$/);
    const psam = createVirtualPsam(image);
    const c = await producedCard();
    const basic = await readCardBasic(createVirtualCard(c.image), reader({ sam: psam }));
    assert.equal(basic.cardNumber, c.cardNumber);
    assert.equal(
      psam.covers("330200D1560000050123456789ABCDEF"),
      false,
      "a Ningbo card needs remote authentication",
    );
    await assert.rejects(
      psam.cryptograms("330200D1560000050123456789ABCDEF", "internal_auth", Buffer.alloc(8)),
      /remote authentication/,
    );
    const audit = await t.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "like", "terminal.%")
      .execute();
    assert.deepEqual(
      audit.map((a) => a.action),
      ["terminal.register", "terminal.psam.issue"],
    );
  });

  it("end to end: a PSAM terminal authenticates the card, reads it, verifies the PIN, debits it; sscard checks the TAC; after a pre-loss the card is refused", async () => {
    await t.deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: "330100000002",
      areaCode: "330100",
      name: "定点药店 2 号机",
    });
    const psam = createVirtualPsam(await t.deps.terminals.issuePsam(SYSTEM_ACTOR, "330100000002"));
    const c = await producedCard();
    const chip = createVirtualCard(c.image);
    const terminal = reader({ terminalNo: psam.terminalNo, sam: psam });
    assert.equal((await readCardBasic(chip, terminal)).cardIdCode, c.cardIdCode);
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    assert.deepEqual(await verifyPin(chip, "000000"), { ok: false, triesLeft: 5 }, "63C5: five tries left");
    const sale = { cardIdCode: c.cardIdCode, terminalNo: psam.terminalNo, amountFen: 1234 };
    await assert.rejects(
      debit(chip, psam, { ...sale, terminalTxnNo: 1, at: t.clock.now() }),
      (e: ReaderError) => e.refusal === "PIN_NOT_VERIFIED",
    );
    assert.deepEqual(await verifyPin(chip, pin), { ok: true });

    const wrongSam = {
      purchaseMac1: async (
        code: string,
        init: { random: Buffer; counter: Buffer; keyVersion: number },
        f: PurchaseFields,
      ) => ({
        ...(await psam.purchaseMac1(code, init, f)),
        mac1: Buffer.alloc(4),
      }),
    };
    await assert.rejects(
      debit(chip, wrongSam, { ...sale, terminalTxnNo: 1, at: t.clock.now() }),
      (e: ReaderError) => e.refusal === "CARD_REFUSED_COMMAND",
      "a wrong MAC1 is refused (9302)",
    );
    const done = await debit(chip, psam, { ...sale, terminalTxnNo: 2, at: t.clock.now() });
    assert.equal(done.balanceBeforeFen, 50_000);
    assert.equal(done.balanceAfterFen, 50_000 - 1234);
    assert.equal(`${done.date}${done.time}`, "20261122100000", "terminal time is China time");
    const check = (overrides: Partial<{ amountFen: number }>) =>
      t.deps.purchases.verifyTac(SYSTEM_ACTOR, {
        cardIdCode: c.cardIdCode,
        amountFen: 1234,
        terminalNo: psam.terminalNo,
        terminalTxnNo: done.terminalTxnNo,
        date: done.date,
        time: done.time,
        tac: done.tac,
        ...overrides,
      });
    assert.deepEqual(await check({}), { valid: true });
    assert.deepEqual(
      await check({ amountFen: 4321 }),
      { valid: false },
      "a changed amount does not match the TAC",
    );
    await assert.rejects(
      debit(chip, psam, { ...sale, amountFen: 50_000, terminalTxnNo: 3, at: t.clock.now() }),
      (e: ReaderError) => e.refusal === "INSUFFICIENT_BALANCE",
    );

    await t.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    await assert.rejects(
      readCardBasic(createVirtualCard(c.image), terminal),
      (e: ReaderError) => e.refusal === "CARD_BLACKLISTED",
    );
  });

  it("refuses a card after a pre-loss, a card with foreign keys, and another province's card", async () => {
    const c = await producedCard();
    await t.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    await assert.rejects(
      readCardBasic(createVirtualCard(c.image), reader()),
      (e: ReaderError) => e.refusal === "CARD_BLACKLISTED",
    );

    const d = await producedCard();
    const forged = {
      ...d.image,
      keys: { 1: randomBytes(16).toString("hex"), 2: randomBytes(16).toString("hex") },
    };
    await assert.rejects(
      readCardBasic(createVirtualCard(forged), reader()),
      (e: ReaderError) => e.refusal === "CARD_AUTHENTICATION_FAILED",
    );
    await assert.rejects(
      readCardBasic(createVirtualCard(d.image), reader({ supportedRegions: ["32"] })),
      (e: ReaderError) => e.refusal === "ISSUER_NOT_SUPPORTED",
    );
    const notSsc = { transmit: () => Buffer.from("6A82", "hex") };
    await assert.rejects(
      readCardBasic(notSsc, reader()),
      (e: ReaderError) => e.refusal === "NOT_SOCIAL_SECURITY_CARD",
    );
  });
});

forEachDialect("remote two-step authentication of another area's card", (dialect) => {
  const ctx = useTestApp(dialect);
  let njTerminal: string;
  let otherTerminal: string;

  before(async () => {
    await seedAreas(ctx.deps);
    await seedCardKeys(ctx.deps);
    njTerminal = (
      await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "南京药店 POS",
        role: "pharmacy_operator",
        areaCode: "320100",
      })
    ).token;
    otherTerminal = (
      await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "南京医院 HIS",
        role: "medical_operator",
        areaCode: "320100",
      })
    ).token;
  });

  const post = async (token: string, url: string, payload: object) => {
    const r = await ctx.app.inject({
      method: "POST",
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${token}` },
      payload,
    });
    return { status: r.statusCode, body: r.json() };
  };

  async function hangzhouChip() {
    const idNumber = newIdNumber();
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: "张伟",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "p",
    });
    const applied = await ctx.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    const keys = await ctx.deps.hsm!.cardAuthenticationKeys({
      algorithm: "SM4",
      version: 1,
      city: "330100",
      cardIdCode: applied.cardIdCode,
    });
    const chip = createVirtualCard({
      ef05: { 1: applied.cardIdCode },
      ef06: {},
      keys: { 1: keys.internalAuth.toString("hex"), 2: keys.externalAuth.toString("hex") },
      pin: "000000",
      pinTriesLeft: 6,
      pinTriesMax: 6,
    });
    chip.transmit(Buffer.concat([Buffer.from("00A40400", "hex"), Buffer.from([SSSE_AID.length]), SSSE_AID]));
    return { chip, cardIdCode: applied.cardIdCode, cardNumber: applied.cardNumber };
  }

  it("lets a Nanjing terminal authenticate a Hangzhou card through sscard, once", async () => {
    const { chip, cardIdCode } = await hangzhouChip();
    const challenge = chip.transmit(Buffer.from("0084000008", "hex")).subarray(0, 8);
    const step1 = await post(njTerminal, "/remote-authentications", {
      cardIdCode,
      cardChallenge: challenge.toString("hex"),
    });
    assert.equal(step1.status, 201, JSON.stringify(step1.body));
    const ext = chip.transmit(
      Buffer.concat([
        Buffer.from("0082000210", "hex"),
        Buffer.from(step1.body.externalAuthCryptogram, "hex"),
      ]),
    );
    assert.equal(ext.toString("hex"), "9000", "the card accepts what sscard computed");
    const internal = chip.transmit(
      Buffer.concat([Buffer.from("0088000108", "hex"), Buffer.from(step1.body.internalAuthRandom, "hex")]),
    );
    const answer = internal.subarray(0, 16).toString("hex");
    const foreign = await post(
      otherTerminal,
      `/remote-authentications/${step1.body.authenticationId}/complete`,
      { internalAuthResponse: answer },
    );
    assert.equal(foreign.body.code, "REMOTE_AUTH_NOT_FOUND", "another terminal cannot complete it");
    const step2 = await post(njTerminal, `/remote-authentications/${step1.body.authenticationId}/complete`, {
      internalAuthResponse: answer,
    });
    assert.deepEqual(step2.body, { authenticated: true, cardIdCode });
    const replay = await post(njTerminal, `/remote-authentications/${step1.body.authenticationId}/complete`, {
      internalAuthResponse: answer,
    });
    assert.deepEqual([replay.status, replay.body.code], [404, "REMOTE_AUTH_NOT_FOUND"]);
    const refused = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "card.remote_auth.refused")
      .execute();
    assert.ok(
      refused.some((r) => r.after?.includes("replayed")),
      "the replay is audited",
    );
  });

  it("refuses a wrong answer and a blacklisted card", async () => {
    const { chip, cardIdCode, cardNumber } = await hangzhouChip();
    const challenge = chip.transmit(Buffer.from("0084000008", "hex")).subarray(0, 8);
    const step1 = await post(njTerminal, "/remote-authentications", {
      cardIdCode,
      cardChallenge: challenge.toString("hex"),
    });
    const wrong = await post(njTerminal, `/remote-authentications/${step1.body.authenticationId}/complete`, {
      internalAuthResponse: "00".repeat(16),
    });
    assert.deepEqual([wrong.status, wrong.body.code], [403, "CARD_AUTHENTICATION_FAILED"]);
    await ctx.deps.cards.cancel(SYSTEM_ACTOR, cardNumber, { reason: "death", recordRef: "死亡证明 1" });
    const dead = await post(njTerminal, "/remote-authentications", {
      cardIdCode,
      cardChallenge: challenge.toString("hex"),
    });
    assert.deepEqual([dead.status, dead.body.code], [409, "CARD_BLACKLISTED"]);
  });
});
