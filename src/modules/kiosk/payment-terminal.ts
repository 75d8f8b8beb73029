/**
 * The kiosk's payment terminal (a bank's card or QR payment module beside the screen), behind an
 * adapter: the kiosk asks it to take an order's amount; the holder pays on it; it says approved,
 * declined or cancelled. Approval is not payment: the order is paid only when the bank's signed
 * notification reaches sscard (or sscard's query finds the payment).
 */
export type PaymentResult = Readonly<{ result: "approved" | "declined" | "cancelled"; reference?: string }>;

export type PaymentTerminal = Readonly<{
  pay: (order: { orderNo: string; amountFen: number }) => Promise<PaymentResult>;
  /** The holder's answer on a simulated terminal (tests and demonstrations only). */
  answer?: (result: PaymentResult["result"]) => boolean;
}>;

/**
 * A SIMULATED payment terminal (tests and demonstrations only): a payment waits until the simulator is
 * told what the holder did (`POST /simulator/payment {result}` on the agent), or is cancelled after
 * `timeoutMs`. One payment at a time, as on a real terminal.
 */
export function simulatedPaymentTerminal(options: { timeoutMs?: number } = {}): PaymentTerminal {
  let waiting: ((r: PaymentResult) => void) | undefined;
  let seq = 0;
  return {
    pay(order) {
      if (waiting) return Promise.resolve({ result: "declined" as const });
      return new Promise<PaymentResult>((resolve) => {
        const timer = setTimeout(() => finish({ result: "cancelled" }), options.timeoutMs ?? 120_000);
        const finish = (r: PaymentResult) => {
          clearTimeout(timer);
          waiting = undefined;
          resolve(r);
        };
        waiting = (r) =>
          finish(
            r.result === "approved"
              ? {
                  result: "approved",
                  reference: `SIM${order.orderNo.slice(-8)}${String(++seq).padStart(3, "0")}`,
                }
              : r,
          );
      });
    },
    answer(result) {
      if (!waiting) return false;
      waiting({ result });
      return true;
    },
  };
}
