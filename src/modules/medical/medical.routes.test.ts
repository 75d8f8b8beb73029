import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { before, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { forEachDialect } from "../../../test/db.ts";
import {
  acceptingFaceVerifier,
  actorWith,
  callAs,
  cardInState,
  type Method,
  newIdNumber,
  produceCard,
  seedAreas,
  seedCardKeys,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY, NATIONAL_MEDICAL_POLICY } from "../../modules/areas/areas.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../../modules/ecard/ecard.service.ts";
import { mintCode } from "../../modules/ecard/ecard-code.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { creditCodeCheck } from "../../shared/credit-code.ts";

/** The sample catalogue of the tests: one item of each class. */
const CATALOGUE_CSV = [
  "code,name,class,self_pay_percent",
  "XA01,阿莫西林胶囊,A,0",
  "XB01,头孢克肟片,B,10",
  "XN01,维生素C泡腾片,none,0",
].join("\n");

forEachDialect("the medical personal account and settlement", (dialect) => {
  const ctx = useTestApp(dialect, { face: acceptingFaceVerifier });
  const tokens = {} as {
    admin: string;
    pharmacy: string;
    otherPharmacy: string;
    oldPharmacy: string;
    clerk: string;
    ministry: string;
  };
  const PHARMACY_TERMINAL = "330100000701";
  const OTHER_TERMINAL = "330100000702";
  const LAPSED_TERMINAL = "330100000703";

  before(async () => {
    const { deps } = ctx;
    await seedAreas(deps);
    // Hangzhou's medical rules for the tests: a ¥10,000 average wage and a 5% account share, so one
    // month on the 100% grade credits exactly ¥500.
    await deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: {
        ...NATIONAL_DEFAULT_POLICY,
        medical: { ...NATIONAL_MEDICAL_POLICY, averageMonthlyWageFen: 1_000_000, accountShareBp: 500 },
      },
    });
    tokens.admin = await staffToken(deps, "hz.admin", "city_admin", "330100");
    tokens.ministry = await staffToken(deps, "ministry", "ministry_admin", "000000");
    tokens.clerk = await staffToken(deps, "hz.clerk", "outlet_clerk", "330100");
    const ids: Record<string, string> = {};
    const institution = async (code: string, terminal: string, until = "2027-12-31") => {
      const r = await call(tokens.admin, "POST", "/institutions", {
        code,
        name: `药房 ${code}`,
        kind: "pharmacy",
        areaCode: "330100",
        agreementFrom: "2026-01-01",
        agreementUntil: until,
      });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids[code] = r.body.id;
      await deps.terminals.register(SYSTEM_ACTOR, { terminalNo: terminal, areaCode: "330100", name: code });
      assert.equal(
        (await call(tokens.admin, "POST", `/institutions/${code}/terminals`, { terminalNo: terminal }))
          .status,
        200,
      );
    };
    await institution("HZ-PH-1", PHARMACY_TERMINAL);
    await institution("HZ-PH-2", OTHER_TERMINAL);
    await institution("HZ-PH-OLD", LAPSED_TERMINAL, "2026-06-30");
    // One operator for each pharmacy.
    tokens.pharmacy = await staffToken(deps, "hz.pharmacy", "pharmacy_operator", "330100", {
      institutionId: ids["HZ-PH-1"],
    });
    tokens.oldPharmacy = await staffToken(deps, "hz.pharmacy.old", "pharmacy_operator", "330100", {
      institutionId: ids["HZ-PH-OLD"],
    });
    tokens.otherPharmacy = await staffToken(deps, "hz.pharmacy2", "pharmacy_operator", "330100", {
      institutionId: ids["HZ-PH-2"],
    });
    const bad = await call(tokens.ministry, "POST", "/catalogue/versions", {
      name: "坏目录",
      effectiveFrom: "2026-01-01",
      csv: "code,name,class,self_pay_percent\nXA01,阿莫西林,A,0\nXA01,重复,A,0\nXB02,某药,B,0\nXC,某药,C,5\n",
    });
    assert.deepEqual([bad.status, bad.body.code], [422, "CATALOGUE_INVALID"]);
    assert.deepEqual(
      bad.body.details.rows.map((r: { line: number; field: string }) => `${r.line}:${r.field}`),
      ["3:code", "4:self_pay_percent", "5:class", "5:self_pay_percent"],
      "a per-row report, nothing imported",
    );
    const good = await call(tokens.ministry, "POST", "/catalogue/versions", {
      name: "测试目录（样例数据）",
      effectiveFrom: "2026-01-01",
      csv: CATALOGUE_CSV,
      sample: true,
    });
    assert.equal(good.status, 201, JSON.stringify(good.body));
  });

  const call = (token: string | undefined, method: Method, url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);

  /** An active card whose account holds ¥500 × months (a flexible worker's paid months, credited). */
  async function fundedHolder(months: string[] = ["2026-10"]) {
    const c = await cardInState(ctx.deps, "active");
    for (const month of months) {
      const paid = await call(tokens.clerk, "POST", "/contributions", {
        payer: "self",
        idNumber: c.idNumber,
        month,
        gradePercent: 100,
      });
      assert.equal(paid.status, 201, JSON.stringify(paid.body));
      await ctx.deps.medical.transferMonth(SYSTEM_ACTOR, month);
    }
    return { ...c, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) };
  }

  let keySeq = 0;
  const key = () => `k-${dialect}-${++keySeq}-${randomInt(1e9)}`;
  const settle = (card: { cardNumber: string; pin: string }, items: object[], over: object = {}) =>
    call(tokens.pharmacy, "POST", "/settlements", {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: key(),
      card: { cardNumber: card.cardNumber, pin: card.pin },
      items,
      ...over,
    });

  async function balanceOf(idNumber: string) {
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, idNumber);
    const account = await ctx.deps.database.db
      .selectFrom("medical_accounts")
      .select("balance_fen")
      .where("person_id", "=", person.id)
      .executeTakeFirst();
    const sums = await ctx.deps.medical.ledgerSums(person.id);
    assert.equal(sums.total, 0, "every journal balances");
    assert.equal(
      Number(account?.balance_fen ?? 0),
      sums.personal,
      "the balance is the sum of the account's entries",
    );
    return sums.personal;
  }

  it("finds catalogue items for the till and prices a basket by class before anyone pays", async () => {
    const found = await call(tokens.pharmacy, "GET", "/catalogue/items?q=XB");
    assert.equal(found.status, 200, JSON.stringify(found.body));
    assert.deepEqual(found.body.items, [{ code: "XB01", name: "头孢克肟片", class: "B", selfPayBp: 1000 }]);
    const byName = await call(tokens.pharmacy, "GET", `/catalogue/items?q=${encodeURIComponent("维生素")}`);
    assert.deepEqual(
      byName.body.items.map((i: { code: string }) => i.code),
      ["XN01"],
    );
    assert.deepEqual(
      (await call(tokens.pharmacy, "GET", "/catalogue/items?q=%25")).body.items,
      [],
      "no wildcard",
    );
    const quote = await call(tokens.pharmacy, "POST", "/settlements/quote", {
      terminalNo: PHARMACY_TERMINAL,
      items: [
        { code: "XA01", quantity: 2, unitPriceFen: 1000 },
        { code: "XB01", quantity: 1, unitPriceFen: 5000 },
        { code: "XN01", quantity: 1, unitPriceFen: 800 },
      ],
    });
    assert.equal(quote.status, 200, JSON.stringify(quote.body));
    assert.deepEqual(
      quote.body.lines.map((l: { class: string; amountFen: number; coveredFen: number }) => [
        l.class,
        l.amountFen,
        l.coveredFen,
      ]),
      [
        ["A", 2000, 2000],
        ["B", 5000, 4500],
        ["none", 800, 0],
      ],
    );
    assert.deepEqual(quote.body.totals, { totalFen: 7800, coveredFen: 6500 });
    const unknown = await call(tokens.pharmacy, "POST", "/settlements/quote", {
      terminalNo: PHARMACY_TERMINAL,
      items: [{ code: "NOPE", quantity: 1, unitPriceFen: 100 }],
    });
    assert.equal(unknown.body.code, "ITEM_NOT_IN_CATALOGUE");
    const elsewhere = await call(tokens.otherPharmacy, "POST", "/settlements/quote", {
      terminalNo: PHARMACY_TERMINAL,
      items: [{ code: "XA01", quantity: 1, unitPriceFen: 100 }],
    });
    assert.equal(
      elsewhere.body.code,
      "INSTITUTION_FORBIDDEN",
      "an operator quotes at its own institution's till only",
    );
  });

  it("credits the month's account share once, settles a basket by class with one debit per key, refunds, reconciles", async () => {
    const h = await fundedHolder();
    assert.equal(await balanceOf(h.idNumber), 50_000);
    const again = await ctx.deps.medical.transferMonth(SYSTEM_ACTOR, "2026-10");
    assert.equal(again.credited, 0, "running the month again credits nothing");
    assert.equal(await balanceOf(h.idNumber), 50_000);

    const basket = [
      { code: "XA01", quantity: 2, unitPriceFen: 1250 },
      { code: "XB01", quantity: 1, unitPriceFen: 3333 },
      { code: "XN01", quantity: 1, unitPriceFen: 2000 },
    ];
    const body = {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: key(),
      card: { cardNumber: h.cardNumber, pin: h.pin },
      items: basket,
    };
    const first = await call(tokens.pharmacy, "POST", "/settlements", body);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(
      first.body.items.map((i: { class: string; accountFen: number; selfFen: number }) => [
        i.class,
        i.accountFen,
        i.selfFen,
      ]),
      [
        ["A", 2500, 0],
        ["B", 2999, 334],
        ["none", 0, 2000],
      ],
    );
    assert.deepEqual(first.body.totals, {
      totalFen: 7833,
      coveredFen: 5499,
      accountFen: 5499,
      selfFen: 2334,
    });
    const retry = await call(tokens.pharmacy, "POST", "/settlements", body);
    assert.equal(retry.status, 200);
    assert.equal(retry.body.replayed, true);
    assert.equal(retry.body.settlementId, first.body.settlementId);
    assert.deepEqual(retry.body.totals, first.body.totals);
    assert.equal(await balanceOf(h.idNumber), 50_000 - 5499, "debited once");
    const reused = await call(tokens.pharmacy, "POST", "/settlements", {
      ...body,
      items: basket.slice(0, 1),
    });
    assert.deepEqual([reused.status, reused.body.code], [409, "IDEMPOTENCY_KEY_REUSED"]);

    const unknown = await settle(h, [basket[0], { code: "NOPE", quantity: 1, unitPriceFen: 1 }]);
    assert.deepEqual(
      [unknown.status, unknown.body.code, unknown.body.details],
      [422, "ITEM_NOT_IN_CATALOGUE", { line: 2, code: "NOPE" }],
    );
    assert.match(unknown.body.message, /第 2 项/);
    const badMoney = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 12.5 }]);
    assert.equal(badMoney.status, 400, "money is whole fen");
    const wrongPin = await settle({ cardNumber: h.cardNumber, pin: "000000" }, basket);
    assert.equal(wrongPin.status, 403, JSON.stringify(wrongPin.body));
    const lapsed = await call(tokens.oldPharmacy, "POST", "/settlements", {
      ...body,
      idempotencyKey: key(),
      terminalNo: LAPSED_TERMINAL,
    });
    assert.deepEqual(
      [lapsed.status, lapsed.body.code, lapsed.body.details.reason],
      [403, "INSTITUTION_NOT_DESIGNATED", "agreement_lapsed"],
    );

    // Refunds: by another institution refused; one unit of line 1, then the rest; retried refund answers the first.
    const sid = first.body.settlementId;
    const foreign = await call(tokens.otherPharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: OTHER_TERMINAL,
      idempotencyKey: key(),
    });
    assert.deepEqual([foreign.status, foreign.body.details.reason], [409, "other_institution"]);
    const notTheirs = await call(tokens.pharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: OTHER_TERMINAL,
      idempotencyKey: key(),
    });
    assert.deepEqual(
      [notTheirs.status, notTheirs.body.code],
      [403, "INSTITUTION_FORBIDDEN"],
      "an operator never acts through another institution's terminal",
    );
    const peek = await call(
      tokens.otherPharmacy,
      "GET",
      "/institutions/HZ-PH-1/reconciliation?day=2026-11-22",
    );
    assert.deepEqual([peek.status, peek.body.code], [403, "INSTITUTION_FORBIDDEN"]);
    const refundKey = key();
    const part = await call(tokens.pharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: refundKey,
      lines: [{ line: 1, quantity: 1 }],
    });
    assert.deepEqual(
      [part.status, part.body.accountFen, part.body.selfFen, part.body.state],
      [200, 1250, 0, "partly_refunded"],
    );
    const partAgain = await call(tokens.pharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: refundKey,
      lines: [{ line: 1, quantity: 1 }],
    });
    assert.equal(partAgain.body.replayed, true);
    const tooMany = await call(tokens.pharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: key(),
      lines: [{ line: 1, quantity: 2 }],
    });
    assert.deepEqual([tooMany.status, tooMany.body.details.reason], [409, "quantity"]);
    const rest = await call(tokens.pharmacy, "POST", `/settlements/${sid}/refunds`, {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: key(),
    });
    assert.deepEqual(
      [rest.body.accountFen, rest.body.selfFen, rest.body.state],
      [5499 - 1250, 2334, "reversed"],
    );
    assert.equal(await balanceOf(h.idNumber), 50_000, "everything back");

    const day = "2026-11-22";
    const rec = await call(tokens.pharmacy, "GET", `/institutions/HZ-PH-1/reconciliation?day=${day}`);
    assert.equal(rec.status, 200, JSON.stringify(rec.body));
    const mine = rec.body.settlements.find((s: { settlementId: string }) => s.settlementId === sid);
    assert.equal(mine.state, "reversed");
    const sum = (k: "accountFen" | "selfFen") =>
      rec.body.settlements.reduce((a: number, s: Record<string, number>) => a + s[k], 0);
    assert.equal(rec.body.byAccount.personalAccountFen, sum("accountFen"));
    assert.equal(rec.body.byAccount.selfPaidFen, sum("selfFen"));
    assert.deepEqual(rec.body.refunds, { count: 2, accountFen: 5499, selfFen: 2334 });
    const file = await call(tokens.pharmacy, "GET", `/institutions/HZ-PH-1/reconciliation.csv?day=${day}`);
    assert.match(String(file.body), /^settlement_id,idempotency_key/);
    assert.ok(String(file.body).includes(sid));

    const hall = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: h.idNumber, pin: h.pin },
    });
    const holder = hall.json().token;
    const view = await call(holder, "GET", "/holder/medical");
    assert.equal(view.body.balanceFen, 50_000);
    assert.deepEqual(
      view.body.credits.map((c: { month: string; amountFen: number }) => [c.month, c.amountFen]),
      [["2026-10", 50_000]],
    );
    assert.deepEqual(
      [view.body.settlements[0].institution, view.body.settlements[0].items.length],
      ["药房 HZ-PH-1", 3],
    );
    const statement = await call(holder, "GET", "/holder/medical/statement?from=2026-11-01&to=2026-11-30");
    assert.equal(statement.body.openingFen, 0);
    assert.equal(statement.body.closingFen, 50_000);
    assert.deepEqual(
      statement.body.entries.map((e: { kind: string; amountFen: number }) => `${e.kind}:${e.amountFen}`),
      ["monthly_credit:50000", "settlement:-5499", "refund:1250", "refund:4249"],
    );
  });

  it("refuses with the seed's reasons: arrears suspend the medical function until paid, a pre-loss stops the card, a declined shortfall", async () => {
    const h = await fundedHolder();
    const basket = [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }];
    const recorded = await ctx.deps.enrolment.recordArrears(SYSTEM_ACTOR, {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      fromDate: "2026-06-01",
      reason: "unpaid",
    });
    assert.ok(recorded);
    const suspended = await settle(h, basket);
    assert.deepEqual([suspended.status, suspended.body.code], [409, "MEDICAL_FUNCTION_SUSPENDED"]);
    const paid = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: h.idNumber,
      month: "2026-09",
      gradePercent: 60,
    });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    assert.equal(paid.body.medicalRestored, true, "the payment that clears the arrears restores it at once");
    const dup = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: h.idNumber,
      month: "2026-09",
      gradePercent: 60,
    });
    assert.deepEqual([dup.status, dup.body.code], [409, "CONTRIBUTION_ALREADY_PAID"]);
    const grade = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: h.idNumber,
      month: "2026-08",
      gradePercent: 120,
    });
    assert.equal(grade.status, 400, "grades are the area's");
    const beforeLoss = await settle(h, basket, { idempotencyKey: "paid-before-the-loss" });
    assert.equal(beforeLoss.status, 200);

    const declined = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 60_000 }], {
      acceptSelfPay: false,
    });
    assert.deepEqual([declined.status, declined.body.code], [409, "INSUFFICIENT_BALANCE"]);
    const shortfall = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 60_000 }]);
    assert.deepEqual(shortfall.body.totals, {
      totalFen: 60_000,
      coveredFen: 60_000,
      accountFen: 49_000,
      selfFen: 11_000,
    });
    assert.equal(await balanceOf(h.idNumber), 0);

    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, h.cardNumber);
    const lost = await settle(h, basket);
    assert.deepEqual(
      [lost.status, lost.body.code, lost.body.details.state],
      [409, "CARD_NOT_USABLE", "temporarily_lost"],
    );
    // A retry answers the first result before any check of the card: the loss since does not refuse it.
    const retry = await settle(h, basket, { idempotencyKey: "paid-before-the-loss" });
    assert.deepEqual(
      [retry.status, retry.body.replayed, retry.body.settlementId],
      [200, true, beforeLoss.body.settlementId],
    );
    // The key with another card, even one that does not exist, is a reused key.
    const reused = await settle({ ...h, cardNumber: "000000000" }, basket, {
      idempotencyKey: "paid-before-the-loss",
    });
    assert.deepEqual([reused.status, reused.body.code], [409, "IDEMPOTENCY_KEY_REUSED"]);
  });

  it("refuses to settle a card the online check flags, with the seed's cause and remedy, until the record is put right", async () => {
    const h = await fundedHolder();
    const basket = [{ code: "XA01", quantity: 1, unitPriceFen: 100 }];
    const first = await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: h.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-10-01",
    });
    assert.equal((await settle(h, basket)).status, 200, "insured once: settles");
    // A move to another county of the same coordination area without suspending the first enrolment.
    await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: h.idNumber,
      scheme: "resident_medical",
      areaCode: "330110",
      startDate: "2026-11-01",
    });
    const check = await call(tokens.pharmacy, "POST", "/online-checks", { cardNumber: h.cardNumber });
    assert.equal(check.body.result, "MULTIPLE_ENROLMENT_IN_AREA");
    const before = await balanceOf(h.idNumber);
    const refused = await settle(h, basket);
    assert.deepEqual([refused.status, refused.body.code], [409, "INSURANCE_CHECK_FAILED"]);
    assert.equal(refused.body.details.diagnostic.code, "MULTIPLE_ENROLMENT_IN_AREA");
    assert.equal(
      refused.body.message,
      "参保核验未通过，不能结算：此人在本统筹区多次参保（在其他县区仍有有效参保）。请参保人到原参保县区暂停参保后再使用社保卡",
    );
    const english = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/settlements",
      headers: { authorization: `Bearer ${tokens.pharmacy}`, "accept-language": "en" },
      payload: {
        terminalNo: PHARMACY_TERMINAL,
        idempotencyKey: key(),
        card: { cardNumber: h.cardNumber, pin: h.pin },
        items: basket,
      },
    });
    assert.match(
      english.json().message,
      /insured several times in this coordination area.*Suspend the enrolment/,
    );
    assert.equal(await balanceOf(h.idNumber), before, "nothing paid");
    // The first county's enrolment suspended as part of the move: the card settles again.
    await ctx.deps.enrolment.setStatus(SYSTEM_ACTOR, first.enrolment.id, {
      to: "suspended",
      reason: "moved",
      version: first.enrolment.version,
    });
    assert.equal((await settle(h, basket)).status, 200);
  });

  it("computes arrears per person and month: beyond the grace the medical function is suspended; the clearing payment restores it", async () => {
    const h = await fundedHolder(["2026-05", "2026-06"]);
    await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: h.idNumber,
      scheme: "employee_medical",
      areaCode: "330106",
      startDate: "2026-05-01",
    });
    const run = await call(tokens.admin, "POST", "/medical/arrears-runs");
    assert.equal(run.status, 200, JSON.stringify(run.body));
    assert.equal(run.body.lastDueMonth, "2026-10");
    assert.deepEqual([run.body.checked, run.body.suspended, run.body.alreadySuspended], [1, 1, 0]);
    const check = await call(tokens.pharmacy, "POST", "/online-checks", { cardNumber: h.cardNumber });
    assert.ok(
      JSON.stringify(check.body).includes("MEDICAL_FUNCTION_SUSPENDED"),
      `the online check reports it: ${JSON.stringify(check.body)}`,
    );
    const refused = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 100 }]);
    assert.equal(refused.body.code, "MEDICAL_FUNCTION_SUSPENDED");
    const again = await call(tokens.admin, "POST", "/medical/arrears-runs");
    assert.equal(again.body.suspended, 0, "already suspended: nothing new");
    // Four months unpaid (07–10) against a grace of 3: paying July leaves three, which the grace allows.
    const july = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: h.idNumber,
      month: "2026-07",
      gradePercent: 100,
    });
    assert.equal(july.body.medicalRestored, true);
    assert.equal((await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 100 }])).status, 200);
  });

  it("binds an operator's grant to one institution of its area, and only operators", async () => {
    const [institution] = (await call(tokens.admin, "GET", "/institutions")).body as { id: string }[];
    const account = (username: string, role: "outlet_clerk" | "pharmacy_operator", areaCode: string) =>
      ctx.deps.staff.createAccount(SYSTEM_ACTOR, {
        username,
        displayName: username,
        password: "Test-password-2026",
        grants: [{ role, areaCode, institutionId: institution.id }],
      });
    await assert.rejects(
      account("clerk.bound", "outlet_clerk", "330100"),
      (e: { code: string }) => e.code === "VALIDATION_FAILED",
    );
    await assert.rejects(
      account("nb.pharmacy.bound", "pharmacy_operator", "330200"),
      (e: { code: string }) => e.code === "INSTITUTION_NOT_FOUND",
      "an institution outside the grant's area",
    );
    const ok = await account("hz.pharmacy.bound", "pharmacy_operator", "330100");
    assert.equal(ok.grants[0].institutionId, institution.id);
  });

  it("settles a card the terminal's PSAM authenticated in a reader slot, once its chip PIN is verified there", async () => {
    await seedCardKeys(ctx.deps);
    const c = await produceCard(ctx.deps);
    await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: c.idNumber,
      month: "2026-10",
      gradePercent: 100,
    });
    await ctx.deps.medical.transferMonth(SYSTEM_ACTOR, "2026-10");
    const slot = (
      await call(tokens.pharmacy, "POST", "/reader/slots", { terminalNo: PHARMACY_TERMINAL, card: c.image })
    ).body.slotId;
    const items = [{ code: "XA01", quantity: 1, unitPriceFen: 1500 }];
    const bySlot = () =>
      call(tokens.pharmacy, "POST", "/settlements", {
        terminalNo: PHARMACY_TERMINAL,
        idempotencyKey: key(),
        readerSlotId: slot,
        items,
      });
    const unread = await bySlot();
    assert.deepEqual([unread.status, unread.body.details?.reason], [422, "READ_CARD_FIRST"]);
    assert.equal((await call(tokens.pharmacy, "POST", `/reader/slots/${slot}/read-card-basic`)).status, 200);
    const noPin = await bySlot();
    assert.deepEqual([noPin.status, noPin.body.code], [400, "PASSWORD_REQUIRED"]);
    const pin = await call(tokens.pharmacy, "POST", `/reader/slots/${slot}/verify-pin`, {
      pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY),
    });
    assert.equal(pin.status, 200, JSON.stringify(pin.body));
    const paid = await bySlot();
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.deepEqual(
      [paid.body.medium, paid.body.totals.accountFen, paid.body.cardNumberMasked],
      ["card", 1500, `${c.cardNumber.slice(0, 2)}****${c.cardNumber.slice(-2)}`],
    );
  });

  it("settles with the e-card's payment code once; the replayed code is refused", async () => {
    const h = await fundedHolder();
    const channel = await ctx.deps.ecard.registerChannel(SYSTEM_ACTOR, {
      code: `pay-${dialect}`,
      name: "支付应用",
      class: "government",
      level: 1,
      services: ["signup", "credential", "payment_code"],
    });
    const app = await ctx.deps.ecard.authenticateChannel(channel.token);
    const { ticket } = await ctx.deps.ecard.counterTicket(actorWith("outlet_clerk", "330100"), {
      idNumber: h.idNumber,
      holderIdNumber: h.idNumber,
    });
    const device = sm2.generateKeyPairHex();
    const signed = await ctx.deps.ecard.signUp(app, {
      name: "卡主",
      idNumber: h.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: "卡主", idNumber: h.idNumber },
      counterTicket: ticket,
      devicePublicKey: device.publicKey,
    });
    const code = mintCode(
      signed.credential,
      device.privateKey,
      "payment",
      Math.floor(ctx.clock.now().getTime() / 1000),
    );
    const body = {
      terminalNo: PHARMACY_TERMINAL,
      idempotencyKey: key(),
      ecardCode: code,
      items: [{ code: "XA01", quantity: 1, unitPriceFen: 800 }],
    };
    const paid = await call(tokens.pharmacy, "POST", "/settlements", body);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.deepEqual([paid.body.medium, paid.body.totals.accountFen], ["ecard", 800]);
    const retried = await call(tokens.pharmacy, "POST", "/settlements", body);
    assert.equal(
      retried.body.replayed,
      true,
      "a retry of the same settlement answers the first, the code is not re-used",
    );
    const replayed = await call(tokens.pharmacy, "POST", "/settlements", { ...body, idempotencyKey: key() });
    assert.deepEqual([replayed.status, replayed.body.details?.reason], [422, "REPLAYED"]);
    assert.equal(await balanceOf(h.idNumber), 50_000 - 800);
  });

  it("a loss report racing a stream of settlements of the same card: each settlement commits before it or is refused", async () => {
    const h = await fundedHolder();
    // The loss is reported as soon as the first settlement is answered, while most others are between
    // their checks and their commit (usually some of them: a settlement that commits after the loss
    // report would show in the audit order below).
    let first!: () => void;
    const firstAnswered = new Promise<void>((r) => {
      first = r;
    });
    const settlementsDone = Promise.all(
      Array.from({ length: 100 }, async (_, i) => {
        const r = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 100 }], {
          idempotencyKey: `race-${dialect}-${i}`,
        });
        first();
        return r;
      }),
    );
    await firstAnswered;
    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, h.cardNumber);
    const results = await settlementsDone;
    const settled = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status === 409 && r.body.code === "CARD_NOT_USABLE");
    assert.equal(
      settled.length + refused.length,
      100,
      JSON.stringify(results.filter((r) => r.status !== 200 && r.status !== 409)),
    );
    // Every settlement that was paid committed before the loss report did (audit order).
    const db = ctx.deps.database.db;
    const card = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, h.cardNumber);
    assert.equal(card.state, "temporarily_lost");
    const loss = await db
      .selectFrom("audit_log")
      .select("seq")
      .where("action", "=", "card.report_temporary_loss")
      .where("subject_id", "=", card.id)
      .executeTakeFirstOrThrow();
    const paid = await db
      .selectFrom("audit_log")
      .select("seq")
      .where("action", "=", "medical.settle")
      .where(
        "subject_id",
        "in",
        settled.map((r) => r.body.settlementId as string),
      )
      .execute();
    assert.equal(paid.length, settled.length);
    for (const p of paid)
      assert.ok(Number(p.seq) < Number(loss.seq), "a settlement committed after the loss report");
    assert.equal(await balanceOf(h.idNumber), 50_000 - settled.length * 100);
  });

  it("one idempotency key sent six times at once settles once, beside other settlements of the same batch; every caller gets that settlement", async () => {
    const h = await fundedHolder();
    const other = await fundedHolder();
    const basket = [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }];
    const same = `same-${dialect}-${randomInt(1e9)}`;
    const results = await Promise.all([
      ...Array.from({ length: 6 }, () => settle(h, basket, { idempotencyKey: same })),
      settle(other, basket),
      settle(other, basket),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 200, 200, 200],
      JSON.stringify(results.find((r) => r.status !== 200)?.body ?? ""),
    );
    const ids = new Set(results.slice(0, 6).map((r) => r.body.settlementId));
    assert.equal(ids.size, 1, "one settlement for the key");
    assert.equal(results.slice(0, 6).filter((r) => !r.body.replayed).length, 1, "the others are replays");
    assert.equal(await balanceOf(h.idNumber), 50_000 - 1000, "debited once");
    assert.equal(await balanceOf(other.idNumber), 50_000 - 2000, "the batch's other settlements are kept");
  });

  it("refuses a contribution for a month before the person was born, and credits nothing", async () => {
    const c = { idNumber: newIdNumber("330106", "2016-05-01") };
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: c.idNumber,
      name: "小童",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "photos/p.jpg",
    });
    const paid = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: c.idNumber,
      month: "1999-01",
      gradePercent: 100,
    });
    assert.deepEqual([paid.status, paid.body.code], [400, "VALIDATION_FAILED"], JSON.stringify(paid.body));
    assert.match(paid.body.details.summary, /before the person was born/);
    assert.equal(paid.body.message, "请求内容不符合要求：month：1999-01 早于出生月份（2016-05）");
  });

  it("an employer pays only for its own employees, from the month of hiring; its operator only as that employer", async () => {
    const first17 = `91330106MA2D${String(randomInt(1e5)).padStart(5, "0")}`;
    const employer = await ctx.deps.employers.register(SYSTEM_ACTOR, {
      creditCode: first17 + creditCodeCheck(first17),
      name: "缴费单位",
      areaCode: "330106",
      contactName: "王",
      contactPhone: "12345",
    });
    const employee = await fundedHolder();
    const stranger = await fundedHolder();
    await ctx.deps.employers.registerEmployee(SYSTEM_ACTOR, employer.id, {
      idNumber: employee.idNumber,
      hiredOn: "2026-09-15",
    });
    const pay = (token: string, idNumber: string, month: string, payer = "employer") =>
      call(token, "POST", "/contributions", {
        payer,
        idNumber,
        month,
        ...(payer === "employer"
          ? { employerId: employer.id, declaredBaseFen: 800_000 }
          : { gradePercent: 100 }),
      });
    const forStranger = await pay(tokens.clerk, stranger.idNumber, "2026-10");
    assert.deepEqual([forStranger.status, forStranger.body.code], [422, "NOT_AN_EMPLOYEE"]);
    assert.match(forStranger.body.message, /不是本单位职工（入职日期：无）/);
    const beforeHiring = await pay(tokens.clerk, employee.idNumber, "2026-08");
    assert.deepEqual([beforeHiring.status, beforeHiring.body.details.hiredOn], [422, "2026-09-15"]);
    const operator = await staffToken(ctx.deps, `emp.op.${dialect}`, "employer_operator", "330100", {
      employerId: employer.id,
    });
    const asSelf = await pay(operator, employee.idNumber, "2026-10", "self");
    assert.deepEqual(
      [asSelf.status, asSelf.body.code, asSelf.body.message],
      [403, "PAYER_NOT_ALLOWED", "缴费方不符：单位经办人只能以本单位名义缴费"],
    );
    const paid = await pay(operator, employee.idNumber, "2026-09");
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    const rows = await ctx.deps.database.db
      .selectFrom("contributions")
      .select("person_id")
      .where("employer_id", "=", employer.id)
      .execute();
    assert.equal(rows.length, 1, "only the employee's month was recorded");
  });

  it("a card whose validity has ended is refused at the moment of use, before any daily job records it", async () => {
    const h = await fundedHolder();
    // As a card imported from a legacy system, valid until 2024: its stored state is still active.
    await ctx.deps.database.db
      .updateTable("cards")
      .set({ valid_until: "2024-01-01" })
      .where("card_number", "=", h.cardNumber)
      .execute();
    const refused = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }]);
    assert.deepEqual(
      [refused.status, refused.body.code, refused.body.details?.state],
      [409, "CARD_NOT_USABLE", "expired"],
      JSON.stringify(refused.body),
    );
    const verify = await call(tokens.clerk, "POST", `/cards/${h.cardNumber}/password/verify`, {
      pin: h.pin,
      purpose: "query",
    });
    assert.deepEqual([verify.body.code, verify.body.details?.state], ["CARD_NOT_USABLE", "expired"]);
    assert.equal(await balanceOf(h.idNumber), 50_000, "nothing paid");
  });

  it("one refund key sent six times at once refunds once; every retry gets the first receipt", async () => {
    const h = await fundedHolder();
    const settled = await settle(h, [{ code: "XA01", quantity: 2, unitPriceFen: 1000 }]);
    assert.equal(settled.status, 200, JSON.stringify(settled.body));
    const refundKey = key();
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        call(tokens.pharmacy, "POST", `/settlements/${settled.body.settlementId}/refunds`, {
          terminalNo: PHARMACY_TERMINAL,
          idempotencyKey: refundKey,
        }),
      ),
    );
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
      JSON.stringify(results.find((r) => r.status !== 200)?.body ?? ""),
    );
    assert.equal(new Set(results.map((r) => r.body.refundId)).size, 1, "one refund for the key");
    assert.equal(results.filter((r) => !r.body.replayed).length, 1, "the others are replays");
    assert.equal(await balanceOf(h.idNumber), 50_000, "refunded once");
  });

  it("100 concurrent ¥10 settlements at a ¥500 account: exactly 50 paid from the account, never negative, books balanced (several seeds)", async () => {
    for (let round = 0; round < 4; round++) {
      const h = await fundedHolder();
      const declineShortfall = round % 2 === 0;
      const order = Array.from({ length: 100 }, (_, i) => i).sort(() => randomInt(3) - 1);
      const results = await Promise.all(
        order.map(async (i) => {
          if (randomInt(4) === 0) await new Promise((r) => setTimeout(r, randomInt(5)));
          const r = await settle(h, [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }], {
            idempotencyKey: `conc-${dialect}-${round}-${i}`,
            acceptSelfPay: !declineShortfall,
          });
          return r;
        }),
      );
      const fromAccount = results.filter((r) => r.status === 200 && r.body.totals.accountFen === 1000).length;
      assert.equal(
        fromAccount,
        50,
        `round ${round}: ${JSON.stringify(results.find((r) => r.status !== 200 && r.status !== 409)?.body ?? "")}`,
      );
      if (declineShortfall) {
        assert.equal(
          results.filter((r) => r.status === 409 && r.body.code === "INSUFFICIENT_BALANCE").length,
          50,
        );
      } else {
        const selfPaid = results.filter(
          (r) => r.status === 200 && r.body.totals.accountFen === 0 && r.body.totals.selfFen === 1000,
        );
        assert.equal(selfPaid.length, 50, "the covered part falls to self-pay");
      }
      assert.equal(await balanceOf(h.idNumber), 0);
    }
    const chain = await ctx.deps.audit.verify();
    assert.equal(chain.ok, true, JSON.stringify(chain));
  });
});
