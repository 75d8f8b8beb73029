import { createHmac, timingSafeEqual } from "node:crypto";

/**
 * The bank's payment notification (asynchronous, as payment gateways send it): the order, the amount
 * paid, the bank's transaction number and time, signed with HMAC-SHA256 over its fields in a fixed
 * order under the key agreed with the bank. Pure: text, signing, checking.
 */
export type PaymentNotification = Readonly<{
  orderNo: string;
  amountFen: number;
  bankTxnNo: string;
  paidAt: string;
  signature: string;
}>;

export const notificationText = (n: Omit<PaymentNotification, "signature">) =>
  `amountFen=${n.amountFen}&bankTxnNo=${n.bankTxnNo}&orderNo=${n.orderNo}&paidAt=${n.paidAt}`;

export const signNotification = (n: Omit<PaymentNotification, "signature">, key: Buffer) =>
  createHmac("sha256", key).update(notificationText(n)).digest("hex");

/** Whether a notification's signature is the bank's (compared in constant time). */
export function notificationSigned(n: PaymentNotification, key: Buffer): boolean {
  const expected = Buffer.from(signNotification(n, key), "hex");
  const given = Buffer.from(/^[0-9a-f]{64}$/.test(n.signature) ? n.signature : "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** An order number: PO, the day (YYYYMMDD) and 16 random digits. */
export const orderNumber = (day: string, random16: string) => `PO${day.replaceAll("-", "")}${random16}`;

/**
 * What sscard asks of the bank beyond its notifications: an order's payment, when its notification did
 * not arrive (the bank answers with the same signed record, checked as a notification is); a refund of a
 * payment sscard cannot keep (the month was paid another way between the order and the bank's
 * notification). Refunding one bank transaction twice gives the first refund again.
 */
export type PaymentGateway = Readonly<{
  query: (orderNo: string) => Promise<PaymentNotification | undefined>;
  refund: (input: {
    orderNo: string;
    bankTxnNo: string;
    amountFen: number;
    reason: string;
  }) => Promise<{ refundNo: string }>;
}>;

/** How long after its order sscard asks the bank about an order whose notification has not come. */
export const QUERY_AFTER_MS = 15 * 60_000;
/** Orders older than this are not asked about any more (the bank's payment window is one day). */
export const QUERY_UNTIL_MS = 2 * 24 * 3600_000;
