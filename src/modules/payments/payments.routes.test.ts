import assert from "node:assert/strict";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, cardInState, seedAreas, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { signNotification } from "./payments.rules.ts";

forEachDialect("self-service contribution payments", (dialect) => {
  const ctx = useTestApp(dialect);
  before(async () => {
    await seedAreas(ctx.deps);
  });

  /** A holder in Hangzhou signed in to the hall. */
  async function holder() {
    const c = await cardInState(ctx.deps, "active", { name: "缴费人" });
    const login = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    return { ...c, call: callAs(ctx.app, login.json().token) };
  }
  const notify = (body: object) => callAs(ctx.app, undefined)("POST", "/payments/notifications", body);
  const contributions = async (idNumber: string) => {
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, idNumber);
    return ctx.deps.database.db
      .selectFrom("contributions")
      .select(["month", "personal_fen"])
      .where("person_id", "=", person.id)
      .execute();
  };

  it("a holder orders a month on a grade; the bank's signed notification pays it once and records the contribution", async () => {
    const h = await holder();
    const ordered = await h.call("POST", "/holder/payments", { month: "2026-10", gradePercent: 100 });
    assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
    assert.match(ordered.body.orderNo, /^PO20261122\d{16}$/);
    assert.ok(ordered.body.amountFen > 0);
    assert.equal(ordered.body.state, "created");
    const badGrade = await h.call("POST", "/holder/payments", { month: "2026-10", gradePercent: 73 });
    assert.deepEqual([badGrade.status, badGrade.body.code], [400, "VALIDATION_FAILED"]);
    const future = await h.call("POST", "/holder/payments", { month: "2027-01", gradePercent: 100 });
    assert.equal(future.status, 400);

    const order = { orderNo: ordered.body.orderNo, amountFen: ordered.body.amountFen };
    const paid = ctx.deps.sandboxBank.paid(order, ctx.deps.clock.now());
    // Forged, another amount (signed over the other amount by a forger without the key), unknown order.
    const forged = await notify({ ...paid, signature: "0".repeat(64) });
    assert.deepEqual(
      [forged.status, forged.body.code, forged.body.details.reason],
      [400, "PAYMENT_NOTIFICATION_REFUSED", "payment_bad_signature"],
    );
    assert.match(forged.body.message, /签名验证失败/);
    const cheaper = ctx.deps.sandboxBank.paid(
      { ...order, amountFen: order.amountFen - 1 },
      ctx.deps.clock.now(),
    );
    const short = await notify(cheaper);
    assert.equal(short.body.details.reason, "payment_amount_differs");
    const unknown = await notify(
      ctx.deps.sandboxBank.paid(
        { orderNo: `PO20261122${"9".repeat(16)}`, amountFen: 1 },
        ctx.deps.clock.now(),
      ),
    );
    assert.equal(unknown.body.details.reason, "payment_unknown_order");
    assert.deepEqual(await contributions(h.idNumber), [], "nothing paid by a refused notification");

    // The real one twice at once: one payment, one contribution; then a replay answers the same.
    const both = await Promise.all([notify(paid), notify(paid)]);
    assert.deepEqual(
      both.map((r) => r.status),
      [200, 200],
      JSON.stringify(both.map((r) => r.body)),
    );
    assert.deepEqual(
      both.map((r) => r.body.state),
      ["paid", "paid"],
    );
    const again = await notify(paid);
    assert.deepEqual([again.status, again.body.replayed], [200, true]);
    const rows = await contributions(h.idNumber);
    assert.deepEqual(
      rows.map((r) => [r.month, Number(r.personal_fen)]),
      [["2026-10", order.amountFen]],
    );
    const other = await notify(ctx.deps.sandboxBank.paid(order, ctx.deps.clock.now()));
    assert.equal(other.body.details.reason, "payment_already_paid", "another transaction for a paid order");
    assert.equal((await h.call("GET", `/holder/payments/${order.orderNo}`)).body.state, "paid");
    const twice = await h.call("POST", "/holder/payments", { month: "2026-10", gradePercent: 100 });
    assert.deepEqual(
      [twice.status, twice.body.code],
      [409, "CONTRIBUTION_ALREADY_PAID"],
      "a paid month is not ordered again",
    );

    const refused = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "payment.notification.refused")
      .execute();
    const reasons = refused.map((r) => JSON.parse(String(r.after)).reason);
    for (const reason of ["bad_signature", "amount_differs", "unknown_order", "already_paid"])
      assert.ok(reasons.includes(reason), `a refused notification is recorded: ${reason}`);
    const paidRecord = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "in", ["payment.order", "payment.paid", "contribution.pay"])
      .where("subject_id", "in", [
        order.orderNo,
        (await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, h.idNumber)).id,
      ])
      .execute();
    assert.deepEqual(paidRecord.map((r) => r.action).sort(), [
      "contribution.pay",
      "payment.order",
      "payment.paid",
    ]);

    const stranger = await holder();
    const theirs = await stranger.call("GET", `/holder/payments/${order.orderNo}`);
    assert.deepEqual([theirs.status, theirs.body.code], [404, "PAYMENT_ORDER_NOT_FOUND"]);
  });

  it("the signature covers every field: a changed field breaks it", () => {
    const key = Buffer.alloc(32, 1);
    const body = {
      orderNo: "PO202611220000000000000001",
      amountFen: 100,
      bankTxnNo: "T1",
      paidAt: "2026-11-22T01:00:00.000Z",
    };
    const sig = signNotification(body, key);
    for (const changed of [
      { amountFen: 101 },
      { bankTxnNo: "T2" },
      { orderNo: "PO202611220000000000000002" },
      { paidAt: "x" },
    ])
      assert.notEqual(signNotification({ ...body, ...changed }, key), sig);
  });

  it("a month paid at the counter after the order: the bank's notification refunds the payment (refund_due, then refunded, each recorded), once even when sent twice at once", async () => {
    const h = await holder();
    const ordered = await h.call("POST", "/holder/payments", { month: "2026-09", gradePercent: 100 });
    assert.equal(ordered.status, 201, JSON.stringify(ordered.body));
    // Meanwhile the month is paid at the counter.
    await ctx.deps.medical.payContribution(
      { ...SYSTEM_ACTOR, channel: "counter" },
      { idNumber: h.idNumber, month: "2026-09", payer: "self", gradePercent: 100 },
    );
    const paid = ctx.deps.sandboxBank.paid(
      { orderNo: ordered.body.orderNo, amountFen: ordered.body.amountFen },
      ctx.deps.clock.now(),
    );
    const both = await Promise.all([notify(paid), notify(paid)]);
    for (const r of both) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.state, "refunded");
    }
    assert.ok(ctx.deps.sandboxBank.refundOf(paid.bankTxnNo), "the bank refunded its payment");
    assert.equal(
      (await contributions(h.idNumber)).filter((c) => c.month === "2026-09").length,
      1,
      "the counter's payment only",
    );
    const records = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("subject_id", "=", ordered.body.orderNo)
      .where("action", "in", ["payment.refund_due", "payment.refunded", "payment.paid"])
      .execute();
    assert.deepEqual(records.map((r) => r.action).sort(), ["payment.refund_due", "payment.refunded"]);
    const again = await notify(paid);
    assert.deepEqual([again.status, again.body.state, again.body.replayed], [200, "refunded", true]);
    const other = ctx.deps.sandboxBank.paid(
      { orderNo: ordered.body.orderNo, amountFen: ordered.body.amountFen },
      ctx.deps.clock.now(),
    );
    const conflicting = await notify(other);
    assert.deepEqual([conflicting.status, conflicting.body.details?.reason], [400, "payment_already_paid"]);
    assert.equal((await h.call("GET", `/holder/payments/${ordered.body.orderNo}`)).body.state, "refunded");
  });

  it("an order whose notification never came: the reconcile job asks the bank after 15 minutes and pays it by the same checks; an unpaid one stays waiting", async () => {
    const h = await holder();
    const start = ctx.deps.clock.now();
    const lost = await h.call("POST", "/holder/payments", { month: "2026-08", gradePercent: 100 });
    const unpaid = await h.call("POST", "/holder/payments", { month: "2026-07", gradePercent: 100 });
    // The bank took the money, but its notification was lost on the way.
    ctx.deps.sandboxBank.paid(
      { orderNo: lost.body.orderNo, amountFen: lost.body.amountFen },
      ctx.deps.clock.now(),
    );
    try {
      const early = await ctx.deps.payments.reconcile();
      assert.equal(early.asked, 0, "not before 15 minutes");
      ctx.clock.advance(16 * 60_000);
      const run = await ctx.deps.jobs.run("payments.reconcile");
      assert.deepEqual([run.ran, run.status], [true, "succeeded"]);
      // (The holder's own session ended while idle: the order as the register holds it.)
      const state = async (orderNo: string) =>
        (
          await ctx.deps.database.db
            .selectFrom("payment_orders")
            .select("state")
            .where("order_no", "=", orderNo)
            .executeTakeFirstOrThrow()
        ).state;
      assert.equal(await state(lost.body.orderNo), "paid");
      assert.equal(await state(unpaid.body.orderNo), "created");
      assert.deepEqual(
        (await contributions(h.idNumber)).map((c) => c.month).sort(),
        ["2026-08"],
        "the bank's payment recorded once",
      );
      const again = await ctx.deps.payments.reconcile();
      assert.deepEqual(
        [again.asked, again.paid, again.unpaid],
        [1, 0, 1],
        "only the unpaid order is asked again",
      );
      ctx.clock.advance(3 * 24 * 3600_000);
      assert.equal((await ctx.deps.payments.reconcile()).asked, 0, "not after two days");
    } finally {
      ctx.clock.set(start);
    }
  });
});
