import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  areaCodeSchema,
  cardNumberSchema,
  dateSchema,
  errors,
  fenSchema,
  idNumberSchema,
  pinSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { csvLine } from "../../shared/csv.ts";
import { MAX_LINES, MAX_QUANTITY, MAX_UNIT_PRICE_FEN } from "./medical.rules.ts";
import type { MedicalService } from "./medical.service.ts";
import { MEDICAL_PERMISSIONS } from "./medical.service.ts";

const fen = fenSchema;
const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM");
const institutionSchema = z.object({
  id: uuidSchema,
  code: z.string(),
  name: z.string(),
  kind: z.enum(["hospital", "pharmacy"]),
  areaCode: z.string(),
  agreementFrom: z.string(),
  agreementUntil: z.string(),
});
const classSchema = z.enum(["A", "B", "none"]);
const receiptSchema = z.object({
  settlementId: uuidSchema,
  idempotencyKey: z.string(),
  replayed: z.boolean().describe("true when this answers a retry with the first result"),
  state: z.enum(["settled", "partly_refunded", "reversed"]),
  institution: z.object({ code: z.string(), name: z.string() }),
  terminalNo: z.string(),
  medium: z.enum(["card", "ecard"]),
  cardNumberMasked: z.string(),
  day: z.string(),
  at: z.string(),
  catalogueVersion: z.number().int(),
  items: z.array(
    z.object({
      line: z.number().int(),
      code: z.string(),
      name: z.string(),
      class: classSchema,
      quantity: z.number().int(),
      unitPriceFen: fen,
      amountFen: fen,
      coveredFen: fen,
      accountFen: fen,
      selfFen: fen,
      refundedQuantity: z.number().int(),
    }),
  ),
  totals: z.object({ totalFen: fen, coveredFen: fen, accountFen: fen, selfFen: fen }),
  refunded: z.object({ accountFen: fen, selfFen: fen }),
});
const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,64}$/, "8–64 letters, digits or _.:-")
  .describe(
    "chosen by the terminal; a retry with the same key answers the first result and never pays twice",
  );
const code = z.object({ code: z.string().regex(/^[A-Za-z0-9.-]{1,32}$/) });

/** Institutions, the catalogue, contributions, the monthly credit, settlements, refunds, reconciliation, the holder's account. */
export function medicalRoutes(deps: { medical: MedicalService }): FastifyPluginAsyncZod {
  const { medical } = deps;
  return async (app) => {
    app.post(
      "/institutions",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.institutions } },
        schema: {
          tags: ["medical"],
          summary: "Register a designated hospital or pharmacy with its agreement period",
          body: z.strictObject({
            code: z.string().regex(/^[A-Za-z0-9-]{3,32}$/),
            name: z.string().trim().min(1).max(100),
            kind: z.enum(["hospital", "pharmacy"]),
            areaCode: areaCodeSchema,
            agreementFrom: dateSchema,
            agreementUntil: dateSchema,
          }),
          response: { 201: institutionSchema, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await medical.registerInstitution(actorOf(request), request.body)),
    );
    app.get(
      "/institutions",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.read } },
        schema: {
          tags: ["medical"],
          summary: "Designated institutions in the caller's area",
          response: { 200: z.array(institutionSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => medical.institutions(actorOf(request)),
    );
    app.post(
      "/institutions/:code/agreement",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.institutions } },
        schema: {
          tags: ["medical"],
          summary: "Renew or end an institution's agreement (a lapsed agreement cannot settle)",
          params: code,
          body: z.strictObject({ agreementFrom: dateSchema, agreementUntil: dateSchema }),
          response: { 200: institutionSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => medical.setAgreement(actorOf(request), request.params.code, request.body),
    );
    app.post(
      "/institutions/:code/terminals",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.institutions } },
        schema: {
          tags: ["medical"],
          summary: "Assign a registered terminal (with its PSAM) to the institution",
          params: code,
          body: z.strictObject({ terminalNo: z.string().regex(/^\d{12}$/) }),
          response: {
            200: z.object({ terminalNo: z.string(), institution: z.string() }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) =>
        medical.attachTerminal(actorOf(request), request.params.code, request.body.terminalNo),
    );

    app.post(
      "/catalogue/versions",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.catalogue } },
        schema: {
          tags: ["medical"],
          summary:
            "Import a version of the drug catalogue from CSV (code,name,class,self_pay_percent; class A, B or none), all or nothing with a per-row report",
          body: z.strictObject({
            name: z.string().trim().min(1).max(100),
            effectiveFrom: dateSchema,
            csv: z.string().max(20_000_000),
            sample: z
              .boolean()
              .default(false)
              .describe("sample data for demonstrations, never for real settlements"),
          }),
          response: {
            201: z.object({
              version: z.number().int(),
              effectiveFrom: z.string(),
              accepted: z.number().int(),
              sample: z.boolean(),
            }),
            ...errors(...AUTH_ERRORS, 422),
          },
        },
        bodyLimit: 24 * 1024 * 1024,
      },
      async (request, reply) =>
        reply.status(201).send(await medical.importCatalogue(actorOf(request), request.body)),
    );
    app.get(
      "/catalogue",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.read } },
        schema: {
          tags: ["medical"],
          summary: "The catalogue versions and which is in force on a day",
          querystring: z.object({ date: dateSchema.optional() }),
          response: {
            200: z.object({
              date: z.string(),
              inForceVersion: z.number().int().nullable(),
              versions: z.array(
                z.object({
                  version: z.number().int(),
                  name: z.string(),
                  effectiveFrom: z.string(),
                  sample: z.boolean(),
                  items: z.number().int(),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.catalogue(actorOf(request), request.query.date),
    );

    const contributionAnswer = z.object({
      contributionId: uuidSchema,
      month: z.string(),
      coordinationArea: z.string(),
      payer: z.enum(["employer", "self"]),
      gradePercent: z.number().int().nullable(),
      baseFen: fen,
      employerFen: fen,
      personalFen: fen,
      accountShareFen: fen,
      medicalRestored: z.boolean().describe("the payment ended the arrears: the medical function is back"),
    });
    app.post(
      "/contributions",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.contributions } },
        schema: {
          tags: ["medical"],
          summary:
            "Pay a month's medical contribution: an employer on a declared base, or a flexible worker on a chosen grade (at a counter)",
          body: z.discriminatedUnion("payer", [
            z.strictObject({
              payer: z.literal("employer"),
              idNumber: idNumberSchema,
              month: monthSchema,
              employerId: uuidSchema,
              declaredBaseFen: fen.min(0).max(100_000_000),
            }),
            z.strictObject({
              payer: z.literal("self"),
              idNumber: idNumberSchema,
              month: monthSchema,
              gradePercent: z.number().int(),
            }),
          ]),
          response: { 201: contributionAnswer, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await medical.payContribution(actorOf(request), request.body)),
    );
    app.post(
      "/holder/contributions",
      {
        config: { access: "holder" },
        schema: {
          tags: ["holder"],
          summary:
            "Pay my own month as a flexible worker, on a grade I choose (hall or kiosk, through the bank)",
          body: z.strictObject({
            idNumber: idNumberSchema,
            month: monthSchema,
            gradePercent: z.number().int(),
          }),
          response: { 201: contributionAnswer, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await medical.payContribution(actorOf(request), { payer: "self", ...request.body })),
    );
    app.post(
      "/medical/transfers",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.transfer } },
        schema: {
          tags: ["medical"],
          summary:
            "Credit the personal-account share of a month's paid contributions (idempotent: a second run credits nothing)",
          body: z.strictObject({ month: monthSchema }),
          response: {
            200: z.object({
              month: z.string(),
              credited: z.number().int(),
              totalFen: fen,
              batches: z.number().int(),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.transferMonth(actorOf(request), request.body.month),
    );

    app.post(
      "/settlements",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.settle } },
        schema: {
          tags: ["medical"],
          summary:
            "Settle a basket at a designated institution's terminal: the card read in a reader slot (PSAM-authenticated, chip PIN verified), the card number + password, or an e-card payment code; once per idempotency key",
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
            items: z
              .array(
                z.strictObject({
                  code: z.string().min(1).max(32),
                  quantity: z.number().int().min(1).max(MAX_QUANTITY),
                  unitPriceFen: fen.min(0).max(MAX_UNIT_PRICE_FEN),
                }),
              )
              .min(1)
              .max(MAX_LINES),
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
    });
    app.get(
      "/institutions/:code/reconciliation",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.reconcile } },
        schema: {
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

    app.get(
      "/holder/medical",
      {
        config: { access: "holder" },
        schema: {
          tags: ["holder"],
          summary: "My medical account: balance, monthly credits, settlements with their items",
          response: {
            200: z.object({
              balanceFen: fen,
              credits: z.array(z.object({ month: z.string(), amountFen: fen, at: z.string() })),
              settlements: z.array(
                z.object({
                  settlementId: uuidSchema,
                  institution: z.string(),
                  day: z.string(),
                  state: z.string(),
                  totalFen: fen,
                  accountFen: fen,
                  selfFen: fen,
                  items: z.array(
                    z.object({
                      name: z.string(),
                      class: classSchema,
                      quantity: z.number().int(),
                      amountFen: fen,
                      accountFen: fen,
                      selfFen: fen,
                    }),
                  ),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.holderAccount(actorOf(request)),
    );
    app.get(
      "/holder/medical/statement",
      {
        config: { access: "holder" },
        schema: {
          tags: ["holder"],
          summary: "My account statement for a period, with the running balance",
          querystring: z.object({ from: dateSchema, to: dateSchema }),
          response: {
            200: z.object({
              from: z.string(),
              to: z.string(),
              openingFen: fen,
              entries: z.array(
                z.object({
                  day: z.string(),
                  at: z.string(),
                  kind: z.string(),
                  amountFen: fen,
                  balanceFen: fen,
                }),
              ),
              closingFen: fen,
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => medical.statement(actorOf(request), request.query.from, request.query.to),
    );
  };
}
