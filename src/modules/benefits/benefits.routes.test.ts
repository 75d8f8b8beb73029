import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  cardInState,
  newIdNumber,
  seedAreas,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { type Actor, SYSTEM_ACTOR } from "../../shared/auth.ts";
import { parseCsv } from "../../shared/csv.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";

forEachDialect("benefits paid to the card (seed 001)", (dialect) => {
  const ctx = useTestApp(dialect);
  const t = {} as { admin: string; nbAdmin: string; clerk: string; phone: string; bankClerk: Actor };
  before(async () => {
    await seedAreas(ctx.deps);
    const icbc = await ctx.deps.areas.createOutlet(SYSTEM_ACTOR, "330100", {
      name: "工商银行文三路支行",
      kind: "bank_branch",
      bankCode: "ICBC",
    });
    t.bankClerk = {
      ...SYSTEM_ACTOR,
      grants: [{ role: "bank_clerk", areaCode: "330100", outletId: icbc.id }],
    };
    t.admin = await staffToken(ctx.deps, "hz.benefits", "city_admin", "330100");
    t.nbAdmin = await staffToken(ctx.deps, "nb.benefits", "city_admin", "330200");
    t.clerk = await staffToken(ctx.deps, "hz.counter", "outlet_clerk", "330100");
    t.phone = (
      await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "12333 hz",
        role: "outlet_clerk",
        areaCode: "330100",
        channel: "phone",
      })
    ).token;
  });
  const admin = () => callAs(ctx.app, t.admin);

  /** A holder with an active ICBC card, its financial function activated when asked. */
  async function holder(name: string, activated: boolean) {
    const c = await cardInState(ctx.deps, "active", { name, bankCode: "ICBC" });
    if (activated)
      await ctx.deps.cards.activateFinancial(t.bankClerk, c.cardNumber, { holderIdNumber: c.idNumber });
    return { ...c, name };
  }
  async function hallOf(h: { idNumber: string; cardNumber: string }) {
    const login = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: h.idNumber, pin: initialPin(h.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    assert.equal(login.statusCode, 200, login.body);
    return callAs(ctx.app, login.json().token);
  }
  const batchOf = (rows: string[], over: object = {}) => ({
    areaCode: "330100",
    reference: `PAY-${randomUUID().slice(0, 8)}`,
    kind: "pension",
    period: "2026-11",
    csv: `id_number,name,amount_fen\n${rows.join("\n")}\n`,
    ...over,
  });
  const audits = (action: string, subjectId: string) =>
    ctx.deps.database.db
      .selectFrom("audit_log")
      .select(["action", "after"])
      .where("action", "=", action)
      .where("subject_id", "=", subjectId)
      .execute();
  const personOf = async (idNumber: string) =>
    (await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, idNumber)).id;

  it("an office lists a month's pension: each row a payment; bad rows refused with their reason; the same reference answers the first batch; a person's benefit for a month is listed once, whatever the batch", async () => {
    const a = await holder("养老甲", true);
    const stranger = newIdNumber();
    const body = batchOf([
      `${a.idNumber},养老甲,320000`,
      "110101199003071234,某人,100",
      `${stranger},陌生人,100`,
      `${a.idNumber},错名字,100`,
      `${a.idNumber},养老甲,12.5`,
      `${a.idNumber},养老甲,100000001`,
      `${a.idNumber},养老甲,320000`,
    ]);
    const made = await admin()("POST", "/benefit-batches", body);
    assert.equal(made.status, 201, JSON.stringify(made.body));
    assert.deepEqual(
      [made.body.accepted, made.body.rejected, made.body.paymentCount, made.body.totalFen],
      [1, 6, 1, 320000],
    );
    assert.deepEqual(
      made.body.rows.map((r: { reasonCode?: string }) => r.reasonCode ?? "ok"),
      [
        "ok",
        "invalid_id_number",
        "person_unknown",
        "name_differs",
        "amount_invalid",
        "amount_invalid",
        "duplicate_in_file",
      ],
    );
    assert.match(made.body.rows[4].reason, /金额应为以分为单位的正整数/);
    assert.deepEqual(made.body.byState, { pending: 1 });

    const again = await admin()("POST", "/benefit-batches", body);
    assert.deepEqual([again.status, again.body.batchId, again.body.replayed], [200, made.body.batchId, true]);
    const other = await admin()("POST", "/benefit-batches", batchOf([`${a.idNumber},养老甲,320000`]));
    assert.deepEqual(
      [other.status, other.body.batchId, other.body.rows[0].reasonCode],
      [200, null, "benefit_listed"],
    );
    assert.match(other.body.rows[0].reason, new RegExp(made.body.batchId));
    const nextMonth = await admin()(
      "POST",
      "/benefit-batches",
      batchOf([`${a.idNumber},养老甲,320000`], { period: "2026-12" }),
    );
    assert.equal(nextMonth.status, 201, "another month is another payment");

    const personId = await personOf(a.idNumber);
    const listed = await audits("benefit.list", personId);
    assert.equal(listed.length, 2);
    assert.ok(!String(listed[0].after).includes(a.idNumber), "no ID number in the audit record");
    const list = await admin()("GET", "/benefit-batches?areaCode=330100");
    assert.ok(list.body.some((b: { batchId: string }) => b.batchId === made.body.batchId));
  });

  it("payment files per bank for cards whose financial function is active; the others failed with the remedy (office, hall, 12333); the bank's return file pays once; after activation the payment goes in the next file", async () => {
    const paid = await holder("发放甲", true);
    const inactive = await holder("未激活乙", false);
    const cancelled = await holder("注销丙", true);
    await ctx.deps.cards.cancel(SYSTEM_ACTOR, cancelled.cardNumber, {
      reason: "death",
      recordRef: "死亡证明 9",
    });
    const noCard = newIdNumber();
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: noCard,
      name: "无卡丁",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "photos/p.jpg",
    });
    const batch = (
      await admin()(
        "POST",
        "/benefit-batches",
        batchOf(
          [
            `${paid.idNumber},发放甲,150000`,
            `${inactive.idNumber},未激活乙,80000`,
            `${cancelled.idNumber},注销丙,70000`,
            `${noCard},无卡丁,60000`,
          ],
          { kind: "employment_subsidy" },
        ),
      )
    ).body;
    const files = await admin()("POST", `/benefit-batches/${batch.batchId}/payment-files`);
    assert.equal(files.status, 200, JSON.stringify(files.body));
    assert.equal(files.body.files.length, 1);
    const [file] = files.body.files;
    assert.deepEqual([file.bankCode, file.paymentCount, file.totalFen], ["ICBC", 1, 150000]);
    const csv = parseCsv(file.csv);
    assert.ok(!("error" in csv));
    assert.deepEqual(csv.columns, ["payment_id", "card_number", "name", "amount_fen", "kind", "period"]);
    assert.deepEqual(
      [csv.rows[0].values.card_number, csv.rows[0].values.name, csv.rows[0].values.amount_fen],
      [paid.cardNumber, "发放甲", "150000"],
    );
    assert.deepEqual(files.body.byFailure, { not_activated: 1, card_cancelled: 1, no_card: 1 });
    assert.equal(files.body.newlyUnpayable, 3);
    const twice = await admin()("POST", `/benefit-batches/${batch.batchId}/payment-files`);
    assert.deepEqual(
      [twice.body.files.length, twice.body.newlyUnpayable],
      [0, 0],
      "nothing changed: nothing sent or failed again",
    );

    const detail = await admin()("GET", `/benefit-batches/${batch.batchId}`);
    const failures = detail.body.failures as {
      failure: string;
      remedy: string;
      name: string;
      idNumber: string;
    }[];
    const byFailure = Object.fromEntries(failures.map((f) => [f.failure, f]));
    assert.match(byFailure.not_activated.remedy, /到中国工商银行任一网点激活金融功能/);
    assert.match(byFailure.card_cancelled.remedy, /申领新卡/);
    assert.match(byFailure.no_card.remedy, /申领/);
    assert.ok(
      failures.every((f) => !f.idNumber.includes(inactive.idNumber.slice(6, 14))),
      "ID numbers masked",
    );
    assert.equal(byFailure.not_activated.name.includes("未激活乙"), false, "names masked");

    // The bank's return file: paid; the same again is replayed; another result for it is refused.
    const paymentId = csv.rows[0].values.payment_id;
    const returned = `payment_id,result,bank_txn_no,reason\n${paymentId},paid,ICBC-20261130-0001,\n`;
    const first = await admin()("POST", `/benefit-files/${file.fileId}/return`, { csv: returned });
    assert.deepEqual([first.status, first.body.accepted, first.body.rows[0].replayed], [200, 1, undefined]);
    const replay = await admin()("POST", `/benefit-files/${file.fileId}/return`, { csv: returned });
    assert.deepEqual([replay.body.accepted, replay.body.rows[0].replayed], [1, true]);
    const contrary = await admin()("POST", `/benefit-files/${file.fileId}/return`, {
      csv: `payment_id,result,bank_txn_no\n${paymentId},account_closed,\n${randomUUID()},paid,T-1\n${paymentId},bounced\n${paymentId},paid\n`,
    });
    assert.deepEqual(
      contrary.body.rows.map((r: { reasonCode: string }) => r.reasonCode),
      ["payment_settled", "not_in_file", "bank_result_invalid", "bank_txn_missing"],
    );
    const personId = await personOf(paid.idNumber);
    assert.equal((await audits("benefit.paid", personId)).length, 1, "paid once, recorded once");

    // The holders see it: paid, or why not and what to do (hall and 12333).
    const mine = await (await hallOf(paid))("GET", "/holder/benefits");
    assert.deepEqual(
      [mine.body[0].state, mine.body[0].kindText, mine.body[0].amountFen, mine.body[0].cardNumber],
      ["paid", "就业补贴", 150000, paid.cardNumber],
    );
    const theirs = await (await hallOf(inactive))("GET", "/holder/benefits");
    assert.deepEqual([theirs.body[0].state, theirs.body[0].failure], ["failed", "not_activated"]);
    assert.match(theirs.body[0].remedy, /任一网点激活金融功能/);
    const phone = callAs(ctx.app, t.phone);
    const callId = `call-${randomUUID()}`;
    await phone("POST", "/ivr/calls", { callId, line: "12333", caller: "13800001111" });
    const press = (digits: string) =>
      phone("POST", `/ivr/calls/${callId}/events`, { event: "digits", digits });
    await press("4");
    await press(`${inactive.idNumber.replace("X", "*")}#`);
    await press("1");
    const told = await press(`${initialPin(inactive.cardNumber, NATIONAL_DEFAULT_POLICY)}#`);
    const said = told.body.prompts.map((p: { text: string }) => p.text).join("");
    assert.match(
      said,
      /2026年11月的就业补贴800\.00元未能发放到社会保障卡。.*到中国工商银行任一网点激活金融功能/,
    );

    // Activated at the bank: the next file carries the payment again, and the bank pays it.
    await ctx.deps.cards.activateFinancial(t.bankClerk, inactive.cardNumber, {
      holderIdNumber: inactive.idNumber,
    });
    const retry = await admin()("POST", `/benefit-batches/${batch.batchId}/payment-files`);
    assert.deepEqual([retry.body.files.length, retry.body.files[0].paymentCount], [1, 1]);
    const retried = parseCsv(retry.body.files[0].csv);
    assert.ok(!("error" in retried));
    assert.equal(retried.rows[0].values.card_number, inactive.cardNumber);
    // The bank finds the account closed meanwhile: failed again with that remedy.
    const closed = await admin()("POST", `/benefit-files/${retry.body.files[0].fileId}/return`, {
      csv: `payment_id,result,reason\n${retried.rows[0].values.payment_id},account_closed,账户已销户\n`,
    });
    assert.equal(closed.body.accepted, 1);
    const after = await (await hallOf(inactive))("GET", "/holder/benefits");
    assert.deepEqual([after.body[0].failure, after.body[0].state], ["account_closed", "failed"]);
    assert.match(after.body[0].remedy, /银行账户已销户/);
    const again = await admin()("GET", `/benefit-files/${retry.body.files[0].fileId}`);
    assert.deepEqual(
      [again.status, again.body.paymentCount, typeof again.body.returnedAt],
      [200, 1, "string"],
    );
  });

  it("the same batch twice at once is one batch; the payment files made twice at once carry each payment once; the return file imported twice at once pays once", async () => {
    const hs: Awaited<ReturnType<typeof holder>>[] = [];
    for (const n of ["并发甲", "并发乙", "并发丙"]) hs.push(await holder(n, true));
    const body = batchOf(hs.map((h) => `${h.idNumber},${h.name},1000`));
    const both = await Promise.all([
      admin()("POST", "/benefit-batches", body),
      admin()("POST", "/benefit-batches", body),
    ]);
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 201], JSON.stringify(both.map((r) => r.body)));
    assert.equal(both[0].body.batchId, both[1].body.batchId);
    // Two batches with other references listing the same people at once: each person once.
    const rival = await Promise.all(
      [1, 2].map(() =>
        admin()(
          "POST",
          "/benefit-batches",
          batchOf(
            hs.map((h) => `${h.idNumber},${h.name},1000`),
            { period: "2026-10" },
          ),
        ),
      ),
    );
    assert.equal(
      rival.reduce((n, r) => n + r.body.accepted, 0),
      3,
      JSON.stringify(rival.map((r) => r.body)),
    );
    const personIds = await Promise.all(hs.map((h) => personOf(h.idNumber)));
    const rows = await ctx.deps.database.db
      .selectFrom("benefit_payments")
      .select("id")
      .where("person_id", "in", personIds)
      .where("period", "=", "2026-10")
      .execute();
    assert.equal(rows.length, 3);

    const batchId = both[0].body.batchId;
    const files = await Promise.all(
      [1, 2].map(() => admin()("POST", `/benefit-batches/${batchId}/payment-files`)),
    );
    assert.ok(
      files.every((f) => f.status === 200),
      JSON.stringify(files.map((f) => f.body)),
    );
    const sent = files.flatMap((f) => f.body.files);
    assert.equal(
      sent.reduce((n: number, f: { paymentCount: number }) => n + f.paymentCount, 0),
      3,
      "each payment in one file",
    );
    const csv = parseCsv(sent[0].csv);
    assert.ok(!("error" in csv));
    const ret = `payment_id,result,bank_txn_no\n${csv.rows.map((r, i) => `${r.values.payment_id},paid,TXN-${i}`).join("\n")}\n`;
    const imports = await Promise.all(
      [1, 2].map(() => admin()("POST", `/benefit-files/${sent[0].fileId}/return`, { csv: ret })),
    );
    assert.ok(
      imports.every((r) => r.status === 200 && r.body.accepted === 3),
      JSON.stringify(imports.map((r) => r.body)),
    );
    for (const id of personIds) assert.equal((await audits("benefit.paid", id)).length, 1);
    const detail = await admin()("GET", `/benefit-batches/${batchId}`);
    assert.deepEqual([detail.body.byState, detail.body.paidFen], [{ paid: 3 }, 3000]);
  });

  it("refuses what a careless or hostile client sends: wrong types, bad kinds and months, NUL bytes, huge amounts, unknown ids, another area, a counter clerk, no sign-in", async () => {
    const a = await holder("刁难甲", true);
    const post = (body: object, token = t.admin) => callAs(ctx.app, token)("POST", "/benefit-batches", body);
    const cases: [object, number, string][] = [
      [batchOf([], { kind: "lottery" }), 400, "VALIDATION_FAILED"],
      [batchOf([], { period: "2026-13" }), 400, "VALIDATION_FAILED"],
      [batchOf([], { reference: "ref with spaces" }), 400, "VALIDATION_FAILED"],
      [batchOf([], { reference: "x".repeat(65) }), 400, "VALIDATION_FAILED"],
      [{ ...batchOf([]), csv: 42 }, 400, "VALIDATION_FAILED"],
      [{ ...batchOf([]), extra: true }, 400, "VALIDATION_FAILED"],
      [{ ...batchOf([]), csv: "name,amount\nx,1\n" }, 400, "CSV_INVALID"],
      [{ ...batchOf([]), csv: '"unterminated' }, 400, "CSV_INVALID"],
      [batchOf([], { areaCode: "339999" }), 403, "AREA_FORBIDDEN"],
    ];
    for (const [body, status, code] of cases) {
      const r = await post(body);
      assert.deepEqual([r.status, r.body.code], [status, code], JSON.stringify({ body, got: r.body }));
      assert.ok(r.body.message, "a message in words");
    }
    const nul = await post(
      batchOf([`${a.idNumber},刁难\u0000甲,100`, `${a.idNumber},刁难甲,${"9".repeat(30)}`]),
    );
    assert.deepEqual(
      [nul.status, nul.body.batchId, nul.body.rows.map((r: { reasonCode: string }) => r.reasonCode)],
      [200, null, ["name_differs", "amount_invalid"]],
    );
    assert.deepEqual((await post(batchOf([]), t.nbAdmin)).status, 403, "another city's administrator");
    assert.deepEqual((await post(batchOf([]), t.clerk)).status, 403, "a counter clerk does not disburse");
    assert.equal((await callAs(ctx.app, undefined)("POST", "/benefit-batches", batchOf([]))).status, 401);
    assert.equal((await callAs(ctx.app, undefined)("GET", "/holder/benefits")).status, 401);
    const staffAsHolder = await admin()("GET", "/holder/benefits");
    assert.ok([401, 403].includes(staffAsHolder.status), "a staff session is not a holder");

    const made = await post(batchOf([`${a.idNumber},刁难甲,100`]));
    const nbSees = await callAs(ctx.app, t.nbAdmin)("GET", `/benefit-batches/${made.body.batchId}`);
    assert.ok([403, 404].includes(nbSees.status), "another city's batch is not theirs");
    for (const [method, url] of [
      ["GET", `/benefit-batches/${randomUUID()}`],
      ["POST", `/benefit-batches/${randomUUID()}/payment-files`],
      ["GET", `/benefit-files/${randomUUID()}`],
      ["POST", `/benefit-files/${randomUUID()}/return`],
    ] as const) {
      const r = await admin()(
        method,
        url,
        method === "POST" && url.endsWith("return") ? { csv: "payment_id,result\n" } : undefined,
      );
      assert.equal(r.status, 404, `${method} ${url}: ${JSON.stringify(r.body)}`);
      assert.match(r.body.code, /^BENEFIT_(BATCH|FILE)_NOT_FOUND$/);
    }
    for (const bad of ["not-a-uuid", "%00", "1".repeat(100)]) {
      const r = await admin()("GET", `/benefit-batches/${bad}`);
      assert.deepEqual([r.status, r.body.code], [400, "VALIDATION_FAILED"], bad.slice(0, 20));
    }
    const files = await admin()("POST", `/benefit-batches/${made.body.batchId}/payment-files`);
    const fileId = files.body.files[0].fileId;
    for (const csv of [
      "",
      "payment_id\nx\n",
      `payment_id,result\n\u0000,paid\n`,
      `payment_id,result,bank_txn_no\n${"f".repeat(36)},paid,${"9".repeat(80)}\n`,
    ]) {
      const r = await admin()("POST", `/benefit-files/${fileId}/return`, { csv });
      assert.ok(
        r.status === 400 || (r.status === 200 && r.body.accepted === 0),
        `${JSON.stringify(csv)}: ${r.status}`,
      );
    }
  });
});
