import { randomInt } from "node:crypto";
import type { Kysely } from "kysely";
import type { Database, PersonRow } from "../../db/schema.ts";
import { type Actor, holderPersonId, SYSTEM_ACTOR } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError, isDomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { coordinationArea } from "../enrolment/enrolment.rules.ts";
import type { MedicalService } from "../medical/medical.service.ts";
import type { PaymentsRepository } from "./payments.repository.ts";
import {
  notificationSigned,
  orderNumber,
  type PaymentGateway,
  type PaymentNotification,
  QUERY_AFTER_MS,
  QUERY_UNTIL_MS,
} from "./payments.rules.ts";

/** Who writes a refused notification's record: the payment gateway, not a person. */
const GATEWAY: Actor = { ...SYSTEM_ACTOR, id: "payment-gateway", name: "银行缴费通知" };

/**
 * Self-service contributions (seed 003: "the insured with flexible employment can choose the payment
 * grade … to realize individual self-service payment"): the holder orders a month on a grade (the
 * amount by the area's policy, fixed in the order), pays at the bank's terminal, and the bank's signed
 * notification pays the order once — the contribution recorded in the same transaction (arrears end
 * as when paid at the counter). Forged, replayed-with-another-transaction and other-amount
 * notifications are refused and recorded.
 */
export function createPaymentsService(deps: {
  db: Kysely<Database>;
  repo: PaymentsRepository;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  /** The key agreed with the bank for its notifications. */
  notifyKey: Buffer;
  person: (q: Kysely<Database>, id: string) => Promise<PersonRow | undefined>;
  selfContributionFen: MedicalService["selfContributionFen"];
  /** The months a person has paid in a coordination area (the contribution register). */
  paidMonths: (q: Kysely<Database>, personId: string, area: string) => Promise<string[]>;
  payContribution: MedicalService["payContribution"];
  /** The bank's refunds (THE SANDBOX BANK in tests and demonstrations). */
  gateway: PaymentGateway;
}) {
  const { db, repo, audit, clock } = deps;
  const view = (o: Database["payment_orders"], replayed = false) => ({
    orderNo: o.order_no,
    month: o.month,
    gradePercent: Number(o.grade_percent),
    amountFen: Number(o.amount_fen),
    state: o.state,
    paidAt: o.paid_at,
    ...(replayed ? { replayed } : {}),
  });

  async function refuse(n: PaymentNotification, reason: string): Promise<never> {
    await db.transaction().execute((trx) =>
      audit.record(trx, GATEWAY, undefined, {
        action: "payment.notification.refused",
        subjectType: "payment_order",
        subjectId: String(n.orderNo).slice(0, 36),
        after: { reason, amountFen: n.amountFen, bankTxnNo: String(n.bankTxnNo).slice(0, 64) },
      }),
    );
    throw new DomainError("PAYMENT_NOTIFICATION_REFUSED", { reason: `payment_${reason}` });
  }

  /**
   * The bank took the money but the month was paid another way meanwhile (at the counter, by an
   * employer): the order becomes refund_due (with the bank's transaction) in one transaction with its
   * record, then the bank refunds it and it becomes refunded. A refund the bank refused stays due and
   * is retried by the bank's next notification of the same transaction.
   */
  async function refund(orderNo: string, n: PaymentNotification, areaCode: string) {
    await db.transaction().execute(async (trx) => {
      const due = await repo.moveState(trx, orderNo, "created", {
        state: "refund_due",
        bank_txn_no: n.bankTxnNo,
        paid_at: n.paidAt,
      });
      if (!due) return; // another copy of the notification got here first
      await audit.record(trx, GATEWAY, undefined, {
        action: "payment.refund_due",
        subjectType: "payment_order",
        subjectId: orderNo,
        areaCode,
        after: { reason: "contribution_already_paid", bankTxnNo: n.bankTxnNo, amountFen: n.amountFen },
      });
    });
    const order = (await repo.byNo(db, orderNo))!;
    if (order.state !== "refund_due" || order.bank_txn_no !== n.bankTxnNo) return view(order, true);
    const { refundNo } = await deps.gateway.refund({
      orderNo,
      bankTxnNo: n.bankTxnNo,
      amountFen: Number(order.amount_fen),
      reason: "contribution_already_paid",
    });
    await db.transaction().execute(async (trx) => {
      if (await repo.moveState(trx, orderNo, "refund_due", { state: "refunded" }))
        await audit.record(trx, GATEWAY, undefined, {
          action: "payment.refunded",
          subjectType: "payment_order",
          subjectId: orderNo,
          areaCode,
          after: { refundNo, bankTxnNo: n.bankTxnNo, amountFen: Number(order.amount_fen) },
        });
    });
    return view((await repo.byNo(db, orderNo))!);
  }

  const service = {
    /** The holder orders a month's contribution on a grade (kiosk or hall, a session with the card's password). */
    async order(actor: Actor, input: { month: string; gradePercent: number }) {
      const person = (await deps.person(db, holderPersonId(actor)))!;
      const today = chinaDate(clock.now());
      if (input.month > today.slice(0, 7))
        throw new DomainError("VALIDATION_FAILED", { summary: "month: not in the future" });
      const amountFen = await deps.selfContributionFen(person.area_code, input.gradePercent);
      // A month paid already (at the counter, by an employer) is not paid twice.
      if ((await deps.paidMonths(db, person.id, coordinationArea(person.area_code))).includes(input.month))
        throw new DomainError("CONTRIBUTION_ALREADY_PAID", { month: input.month });
      const row: Database["payment_orders"] = {
        order_no: orderNumber(
          today,
          `${randomInt(1e8)}`.padStart(8, "0") + `${randomInt(1e8)}`.padStart(8, "0"),
        ),
        person_id: person.id,
        month: input.month,
        grade_percent: input.gradePercent,
        amount_fen: amountFen,
        channel: actor.channel,
        state: "created",
        created_at: clock.now().toISOString(),
        paid_at: null,
        bank_txn_no: null,
        contribution_id: null,
      };
      await db.transaction().execute(async (trx) => {
        await repo.insert(trx, row);
        await audit.record(trx, actor, undefined, {
          action: "payment.order",
          subjectType: "person",
          subjectId: person.id,
          areaCode: person.area_code,
          after: { orderNo: row.order_no, month: row.month, gradePercent: row.grade_percent, amountFen },
        });
      });
      return view(row);
    },

    /** The holder's own order and whether it is paid. */
    async orderOf(actor: Actor, orderNo: string) {
      const o = await repo.byNo(db, orderNo);
      if (!o || o.person_id !== holderPersonId(actor)) throw new DomainError("PAYMENT_ORDER_NOT_FOUND");
      return view(o);
    },

    /** The bank's notification: checked, then the order paid and the contribution recorded, once. */
    async notify(n: PaymentNotification) {
      if (!notificationSigned(n, deps.notifyKey)) return refuse(n, "bad_signature");
      const order = await repo.byNo(db, n.orderNo);
      if (!order) return refuse(n, "unknown_order");
      const replay = () => (order.bank_txn_no === n.bankTxnNo ? view(order, true) : undefined);
      if (order.state === "paid" || order.state === "refunded") return replay() ?? refuse(n, "already_paid");
      if (order.state === "refund_due")
        return order.bank_txn_no === n.bankTxnNo
          ? refund(order.order_no, n, (await deps.person(db, order.person_id))!.area_code)
          : refuse(n, "already_paid");
      if (n.amountFen !== Number(order.amount_fen)) return refuse(n, "amount_differs");
      const person = (await deps.person(db, order.person_id))!;
      const holder: Actor = {
        type: "holder",
        id: `holder:${person.id}`,
        name: person.name_masked,
        channel: order.channel === "kiosk" ? "kiosk" : "web",
        grants: [],
        personId: person.id,
      };
      try {
        await deps.payContribution(
          holder,
          {
            idNumber: deps.cipher.decrypt(person.id_number_enc),
            month: order.month,
            payer: "self",
            gradePercent: Number(order.grade_percent),
          },
          async (trx, contributionId) => {
            const paidAt = clock.now().toISOString();
            if (
              !(await repo.markPaid(trx, order.order_no, {
                paid_at: paidAt,
                bank_txn_no: n.bankTxnNo,
                contribution_id: contributionId,
              }))
            )
              throw new DomainError("CONCURRENT_MODIFICATION");
            await audit.record(trx, GATEWAY, undefined, {
              action: "payment.paid",
              subjectType: "payment_order",
              subjectId: order.order_no,
              areaCode: person.area_code,
              after: { amountFen: n.amountFen, bankTxnNo: n.bankTxnNo, contributionId },
            });
          },
        );
      } catch (err) {
        // The same notification twice at once: the other one paid it.
        const now = await repo.byNo(db, n.orderNo);
        if (now?.state === "paid" && now.bank_txn_no === n.bankTxnNo) return view(now, true);
        // The month was paid another way since the order: the bank's money goes back.
        if (isDomainError(err) && err.code === "CONTRIBUTION_ALREADY_PAID" && now?.state !== "paid")
          return refund(order.order_no, n, person.area_code);
        throw err;
      }
      return view((await repo.byNo(db, n.orderNo))!);
    },

    /**
     * The orders whose notification has not come (15 minutes to 2 days old): the bank is asked, and a
     * payment it reports goes through the notification's own checks and path (signature, amount, one
     * contribution, or the refund). A job (`payments.reconcile`) runs it every 5 minutes.
     */
    async reconcile() {
      const now = clock.now().getTime();
      const orders = await repo.waiting(
        db,
        new Date(now - QUERY_UNTIL_MS).toISOString(),
        new Date(now - QUERY_AFTER_MS).toISOString(),
      );
      const result = { asked: orders.length, paid: 0, refunded: 0, unpaid: 0, refused: 0 };
      for (const { order_no } of orders) {
        const n = await deps.gateway.query(order_no);
        if (!n) {
          result.unpaid += 1;
          continue;
        }
        const settled = await service.notify(n).catch((err: unknown) => {
          if (isDomainError(err)) return undefined;
          throw err;
        });
        if (settled?.state === "paid") result.paid += 1;
        else if (settled?.state === "refunded") result.refunded += 1;
        else result.refused += 1;
      }
      return result;
    },
  };
  return service;
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
