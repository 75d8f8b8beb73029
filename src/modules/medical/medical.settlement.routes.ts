import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  cardNumberSchema,
  dateSchema,
  errors,
  pinSchema,
  temporaryCertificateNoSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { csvLine } from "../../shared/csv.ts";
import { MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_FEN } from "./medical.rules.ts";
import { classSchema, code, fen, idempotencyKey, receiptSchema } from "./medical.schemas.ts";
import type { MedicalService } from "./medical.service.ts";
import { MEDICAL_PERMISSIONS } from "./medical.service.ts";

/** Settlements at a designated institution, refunds and the day's reconciliation. */
/** A basket as a terminal sends it: catalogue codes, quantities and the institution's unit prices. */
const basketItems = z
  .array(
    z.strictObject({
      code: z.string().min(1).max(32),
      quantity: z.number().int().min(1).max(MAX_QUANTITY),
      unitPriceFen: fen.min(0).max(MAX_UNIT_PRICE_FEN),
    }),
  )
  .min(1)
  .max(MAX_LINES);

export function medicalSettlementRoutes(deps: { medical: MedicalService }): FastifyPluginAsyncZod {
  const { medical } = deps;
  return async (app) => {
    app.post(
      "/settlements/quote",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.settle } },
        schema: {
          operationId: "quoteBasket",
          tags: ["medical"],
          summary:
            "Price a basket before payment: each item's class, covered part (payable from the personal account up to its balance) and self-paid part by the catalogue in force",
          body: z.strictObject({
            terminalNo: z.string().regex(/^\d{12}$/),
            items: basketItems,
          }),
          response: {
            200: z.object({
              catalogueVersion: z.number().int(),
              // A receipt's line before payment: what the account and the holder pay is not known yet.
              lines: z.array(
                receiptSchema.shape.items.element.pick({
                  line: true,
                  code: true,
                  name: true,
                  class: true,
                  quantity: true,
                  unitPriceFen: true,
                  amountFen: true,
                  coveredFen: true,
                }),
              ),
              totals: z.object({ totalFen: fen, coveredFen: fen }),
            }),
            ...errors(...AUTH_ERRORS, 404, 409, 422),
          },
        },
      },
      async (request) => medical.quote(actorOf(request), request.body),
    );
    app.post(
      "/settlements",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.settle } },
        schema: {
          operationId: "settle",
          tags: ["medical"],
          summary:
            "Settle a basket at a designated institution's terminal: the card read in a reader slot (PSAM-authenticated, chip PIN verified), the card number + password, an e-card payment code, or a temporary medical certificate + password during a replacement; once per idempotency key",
          body: z.strictObject({
            terminalNo: z.string().regex(/^\d{12}$/),
            idempotencyKey,
            card: z
              .strictObject({
                cardNumber: cardNumberSchema,
                pin: pinSchema.optional(),
              })
              .optional(),
            readerSlotId: uuidSchema
              .optional()
              .describe(
                "a reader slot of this terminal whose card was read (PSAM authentication) and PIN verified",
              ),
            ecardCode: z.string().min(10).max(2000).optional(),
            temporaryCertificate: z
              .strictObject({ number: temporaryCertificateNoSchema, pin: pinSchema })
              .optional()
              .describe(
                "the temporary medical certificate issued with a formal loss, and the holder's password, while the new card is made",
              ),
            items: basketItems,
            acceptSelfPay: z
              .boolean()
              .default(true)
              .describe("false: refuse rather than self-pay what the balance does not cover"),
          }),
          response: { 200: receiptSchema, ...errors(...AUTH_ERRORS, 404, 409, 422, 423) },
        },
      },
      async (request) => medical.settle(actorOf(request), { ...request.body, source: request.ip }),
    );
    app.get(
      "/settlements/:id",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.reconcile } },
        schema: {
          operationId: "getSettlement",
          tags: ["medical"],
          summary: "A settlement's receipt",
          params: z.object({ id: uuidSchema }),
          response: { 200: receiptSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => medical.settlement(actorOf(request), request.params.id),
    );
    app.post(
      "/settlements/:id/refunds",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.settle } },
        schema: {
          operationId: "refund",
          tags: ["medical"],
          summary:
            "Refund a settlement, whole or some units of some lines, by the same institution within the area's window",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({
            terminalNo: z.string().regex(/^\d{12}$/),
            idempotencyKey,
            lines: z
              .array(z.strictObject({ line: z.number().int().min(1), quantity: z.number().int().min(1) }))
              .min(1)
              .max(MAX_LINES)
              .optional()
              .describe("omitted: everything not yet refunded"),
          }),
          response: {
            200: z.object({
              refundId: uuidSchema,
              settlementId: uuidSchema,
              replayed: z.boolean(),
              accountFen: fen,
              selfFen: fen,
              lines: z.array(z.object({ line: z.number().int(), quantity: z.number().int() })),
              day: z.string().describe("the day the refund counts in (reconciliation, netting)"),
              state: z.string().optional(),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => medical.refund(actorOf(request), request.params.id, request.body),
    );

    const reconciliationSchema = z.object({
      institution: z.object({ code: z.string(), name: z.string() }),
      day: z.string(),
      count: z.number().int(),
      byClass: z.array(
        z.object({ class: classSchema, amountFen: fen, coveredFen: fen, accountFen: fen, selfFen: fen }),
      ),
      byAccount: z.object({ personalAccountFen: fen, selfPaidFen: fen, totalFen: fen }),
      refunds: z.object({ count: z.number().int(), accountFen: fen, selfFen: fen }),
      settlements: z.array(
        z.object({
          settlementId: uuidSchema,
          idempotencyKey: z.string(),
          terminalNo: z.string(),
          medium: z.string(),
          totalFen: fen,
          accountFen: fen,
          selfFen: fen,
          state: z.string(),
          at: z.string(),
        }),
      ),
      elsewhere: z
        .object({
          count: z.number().int(),
          totalFen: fen,
          accountFen: fen,
          selfFen: fen,
          settlements: z.array(
            z.object({
              settlementId: z.string(),
              idempotencyKey: z.string(),
              homeProvince: z.string(),
              medium: z.string(),
              totalFen: fen,
              accountFen: fen,
              selfFen: fen,
              at: z.string(),
            }),
          ),
        })
        .describe(
          "other provinces' holders, settled by their home provinces through the national platform (their account money comes through the national netting; refunds are the home province's)",
        ),
    });
    app.get(
      "/institutions/:code/reconciliation",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.reconcile } },
        schema: {
          operationId: "getReconciliation",
          tags: ["medical"],
          summary:
            "An institution's daily reconciliation: totals by catalogue class and by account, refunds, each settlement",
          params: code,
          querystring: z.object({ day: dateSchema }),
          response: { 200: reconciliationSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => medical.reconciliation(actorOf(request), request.params.code, request.query.day),
    );
    app.get(
      "/institutions/:code/reconciliation.csv",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.reconcile } },
        schema: {
          operationId: "getReconciliationFile",
          tags: ["medical"],
          summary: "The same reconciliation as a file (CSV, one line per settlement, then the totals)",
          params: code,
          querystring: z.object({ day: dateSchema }),
          response: { 200: z.string(), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const r = await medical.reconciliation(actorOf(request), request.params.code, request.query.day);
        const lines = [
          csvLine([
            "settlement_id",
            "idempotency_key",
            "terminal_no",
            "medium",
            "total_fen",
            "account_fen",
            "self_fen",
            "state",
            "at",
          ]),
          ...r.settlements.map((s) =>
            csvLine([
              s.settlementId,
              s.idempotencyKey,
              s.terminalNo,
              s.medium,
              s.totalFen,
              s.accountFen,
              s.selfFen,
              s.state,
              s.at,
            ]),
          ),
          ...r.byClass.map((c) =>
            csvLine([`total_class_${c.class}`, "", "", "", c.amountFen, c.accountFen, c.selfFen, "", ""]),
          ),
          csvLine([
            "total",
            "",
            "",
            "",
            r.byAccount.totalFen,
            r.byAccount.personalAccountFen,
            r.byAccount.selfPaidFen,
            "",
            "",
          ]),
          csvLine(["refunds", "", "", "", r.refunds.count, r.refunds.accountFen, r.refunds.selfFen, "", ""]),
          ...r.elsewhere.settlements.map((s) =>
            csvLine([
              s.settlementId,
              s.idempotencyKey,
              "",
              s.medium,
              s.totalFen,
              s.accountFen,
              s.selfFen,
              `national:${s.homeProvince}`,
              s.at,
            ]),
          ),
          csvLine([
            "total_elsewhere",
            "",
            "",
            "",
            r.elsewhere.totalFen,
            r.elsewhere.accountFen,
            r.elsewhere.selfFen,
            r.elsewhere.count,
            "",
          ]),
        ];
        return reply
          .type("text/csv; charset=utf-8")
          .header(
            "content-disposition",
            `attachment; filename="reconciliation-${r.institution.code}-${r.day}.csv"`,
          )
          .send(`${lines.join("\n")}\n`);
      },
    );
  };
}
