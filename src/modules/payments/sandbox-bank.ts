import { type PaymentNotification, signNotification } from "./payments.rules.ts";

/**
 * THE SANDBOX BANK — for tests and demonstrations only, never a real bank. It speaks the notification
 * protocol a payment gateway speaks (payments.rules.ts): when the holder "pays" an order at the
 * kiosk's payment terminal, it signs the notification the bank would send to
 * `POST /api/v1/payments/notifications`.
 */
export function sandboxBank(key: Buffer) {
  let seq = 0;
  return {
    /** The signed notification of an order paid (the amount as the bank charged it). */
    paid(order: { orderNo: string; amountFen: number }, paidAt: Date): PaymentNotification {
      const body = {
        orderNo: order.orderNo,
        amountFen: order.amountFen,
        bankTxnNo: `SANDBOX${paidAt.getTime()}${String(++seq).padStart(4, "0")}`,
        paidAt: paidAt.toISOString(),
      };
      return { ...body, signature: signNotification(body, key) };
    },
  };
}
