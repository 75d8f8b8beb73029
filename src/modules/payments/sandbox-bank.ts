import { DomainError } from "../../shared/errors.ts";
import { type PaymentGateway, type PaymentNotification, signNotification } from "./payments.rules.ts";

/**
 * THE SANDBOX BANK — for tests and demonstrations only, never a real bank. It speaks the notification
 * protocol a payment gateway speaks (payments.rules.ts): when the holder "pays" an order at the
 * kiosk's payment terminal, it signs the notification the bank would send to
 * `POST /api/v1/payments/notifications`; it refunds a payment it made (a PaymentGateway).
 */
export function sandboxBank(key: Buffer) {
  let seq = 0;
  /** The bank's own ledger: each payment it made, and its refund once refunded. */
  const ledger = new Map<
    string,
    { orderNo: string; amountFen: number; notification: PaymentNotification; refundNo?: string }
  >();
  const gateway: PaymentGateway = {
    async query(orderNo) {
      return [...ledger.values()].find((p) => p.orderNo === orderNo)?.notification;
    },
    async refund(input) {
      const payment = ledger.get(input.bankTxnNo);
      if (!payment || payment.orderNo !== input.orderNo || payment.amountFen !== input.amountFen)
        throw new DomainError("PAYMENT_REFUND_REFUSED");
      payment.refundNo ??= `SANDBOXRF${input.bankTxnNo.slice(7)}`;
      return { refundNo: payment.refundNo };
    },
  };
  return {
    ...gateway,
    /** The refund the bank made of one of its payments, if any. */
    refundOf: (bankTxnNo: string) => ledger.get(bankTxnNo)?.refundNo,
    /** The signed notification of an order paid (the amount as the bank charged it). */
    paid(order: { orderNo: string; amountFen: number }, paidAt: Date): PaymentNotification {
      const body = {
        orderNo: order.orderNo,
        amountFen: order.amountFen,
        bankTxnNo: `SANDBOX${paidAt.getTime()}${String(++seq).padStart(4, "0")}`,
        paidAt: paidAt.toISOString(),
      };
      const notification = { ...body, signature: signNotification(body, key) };
      ledger.set(body.bankTxnNo, { orderNo: body.orderNo, amountFen: body.amountFen, notification });
      return notification;
    },
  };
}
