import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors } from "../../http/schemas.ts";
import type { PaymentsService } from "./payments.service.ts";

const orderSchema = z.object({
  orderNo: z.string(),
  month: z.string(),
  gradePercent: z.number().int(),
  amountFen: z.number().int().describe("fen (0.01 yuan)"),
  state: z
    .enum(["created", "paid", "refund_due", "refunded"])
    .describe(
      "refund_due, refunded: the month was paid another way meanwhile and the bank's payment goes back",
    ),
  paidAt: z.string().nullable(),
  replayed: z.boolean().optional().describe("the same notification again: answered as the first time"),
});
const orderNoSchema = z.string().regex(/^PO\d{24}$/, "a payment order number (PO and 24 digits)");

/** Self-service contributions: the holder's payment orders, and the bank's signed notification. */
export function paymentsRoutes(deps: { payments: PaymentsService }): FastifyPluginAsyncZod {
  const { payments } = deps;
  return async (app) => {
    app.post(
      "/holder/payments",
      {
        config: { access: "holder" },
        schema: {
          operationId: "orderContributionPayment",
          tags: ["holder"],
          summary:
            "A flexible worker orders a month's medical contribution on a grade (kiosk or hall; the amount by the area's policy), to pay at the bank's terminal",
          body: z.strictObject({
            month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM"),
            gradePercent: z.number().int().min(1).max(1000),
          }),
          response: { 201: orderSchema, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await payments.order(actorOf(request), request.body)),
    );
    app.get(
      "/holder/payments/:orderNo",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getMyPaymentOrder",
          tags: ["holder"],
          summary: "The holder's own payment order and whether the bank has paid it",
          params: z.object({ orderNo: orderNoSchema }),
          response: { 200: orderSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => payments.orderOf(actorOf(request), request.params.orderNo),
    );
    app.post(
      "/payments/notifications",
      {
        config: { access: "public" },
        schema: {
          operationId: "paymentNotification",
          tags: ["holder"],
          summary:
            "The bank's asynchronous payment notification (HMAC-SHA256 signed): pays the order once and records the contribution (a month paid another way meanwhile: the bank's payment is refunded); forged, other-amount and conflicting ones are refused and recorded",
          body: z.strictObject({
            orderNo: z.string().max(40),
            amountFen: z.number().int().min(0).max(100_000_000),
            bankTxnNo: z.string().min(1).max(64),
            paidAt: z.string().max(40),
            signature: z.string().max(128),
          }),
          response: { 200: orderSchema, ...errors(400, 409, 502) },
        },
      },
      async (request) => payments.notify(request.body),
    );
  };
}
