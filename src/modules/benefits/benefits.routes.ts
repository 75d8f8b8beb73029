import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors, uuidSchema } from "../../http/schemas.ts";
import { languageOf } from "../../shared/messages.ts";
import { worded } from "../../shared/row-reasons.ts";
import { BENEFIT_PERMISSIONS } from "./benefits.permissions.ts";
import { BANK_RESULTS, BENEFIT_FAILURES, BENEFIT_KIND_CODES, BENEFIT_STATES } from "./benefits.rules.ts";
import type { BenefitsService } from "./benefits.service.ts";

const disburse = { permission: BENEFIT_PERMISSIONS.disburse };
const kind = z.enum(BENEFIT_KIND_CODES);
const state = z.enum(BENEFIT_STATES);
const failure = z.enum(BENEFIT_FAILURES).nullable();
const summary = {
  batchId: z.string(),
  areaCode: z.string(),
  reference: z.string(),
  kind,
  period: z.string(),
  paymentCount: z.number().int(),
  totalFen: z.number().int().describe("fen (0.01 yuan)"),
  paidFen: z.number().int(),
  byState: z.record(z.string(), z.number().int()),
  byFailure: z.record(z.string(), z.number().int()),
  createdAt: z.string(),
};
const rowsSchema = z.array(
  z.object({
    line: z.number().int(),
    status: z.enum(["accepted", "rejected"]),
    paymentId: z.string().optional(),
    replayed: z.boolean().optional(),
    reasonCode: z.string().optional(),
    reason: z.string().optional(),
  }),
);
const batchReport = z.object({
  ...summary,
  replayed: z.boolean().optional().describe("the batch sent before with this reference"),
  accepted: z.number().int(),
  rejected: z.number().int(),
  rows: rowsSchema,
});
/** A new batch (201), the batch sent before with this reference (replayed, 200), or none: every row refused (200). */
const batchAnswer = batchReport.partial().extend({
  batchId: z.string().nullable(),
  accepted: z.number().int(),
  rejected: z.number().int(),
  rows: rowsSchema,
});
const fileSummary = {
  fileId: z.string(),
  bankCode: z.string(),
  paymentCount: z.number().int(),
  totalFen: z.number().int(),
};
const csvBody = z.strictObject({
  csv: z
    .string()
    .min(1)
    .max(32 * 1024 * 1024),
});

/** Benefits paid to the card: the office's batches, the banks' files, the holder's own payments. */
export function benefitsRoutes(deps: { benefits: BenefitsService }): FastifyPluginAsyncZod {
  const { benefits } = deps;
  return async (app) => {
    app.post(
      "/benefit-batches",
      {
        config: { access: { ...disburse, area: (r) => (r.body as { areaCode?: string }).areaCode } },
        bodyLimit: 40 * 1024 * 1024,
        schema: {
          operationId: "createBenefitBatch",
          tags: ["benefits"],
          summary:
            "An office's benefit batch for a month from a CSV (id_number,name,amount_fen); once per person, kind and month (docs/benefits.md)",
          body: z.strictObject({
            areaCode: areaCodeSchema,
            reference: z
              .string()
              .regex(/^[A-Za-z0-9_/-]{1,64}$/, "the office's reference: 1 to 64 letters, digits, _, / or -"),
            kind,
            period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM"),
            csv: z
              .string()
              .min(1)
              .max(32 * 1024 * 1024),
          }),
          response: {
            201: batchAnswer,
            200: batchAnswer,
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request, reply) => {
        const r = await benefits.createBatch(actorOf(request), request.body);
        const answer = worded(r, languageOf(request.headers["accept-language"]));
        return reply.code(r.batchId && !("replayed" in r) ? 201 : 200).send(answer);
      },
    );
    app.get(
      "/benefit-batches",
      {
        config: { access: { ...disburse, area: (r) => (r.query as { areaCode?: string }).areaCode } },
        schema: {
          operationId: "listBenefitBatches",
          tags: ["benefits"],
          summary: "An area's benefit batches, newest first",
          querystring: z.strictObject({ areaCode: areaCodeSchema }),
          response: { 200: z.array(z.object(summary)), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => benefits.batches(actorOf(request), request.query.areaCode),
    );
    app.get(
      "/benefit-batches/:batchId",
      {
        config: { access: disburse },
        schema: {
          operationId: "getBenefitBatch",
          tags: ["benefits"],
          summary: "A batch, its files and its failures with their remedy",
          params: z.object({ batchId: uuidSchema }),
          response: {
            200: z.object({
              ...summary,
              files: z.array(
                z.object({ ...fileSummary, createdAt: z.string(), returnedAt: z.string().nullable() }),
              ),
              failures: z.array(
                z.object({
                  paymentId: z.string(),
                  failure,
                  remedy: z.string().nullable(),
                  name: z.string().describe("masked"),
                  idNumber: z.string().describe("masked"),
                  cardNumber: z.string().nullable(),
                  amountFen: z.number().int(),
                  attempts: z.number().int(),
                  updatedAt: z.string(),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) =>
        benefits.batchDetail(
          actorOf(request),
          request.params.batchId,
          languageOf(request.headers["accept-language"]),
        ),
    );
    app.post(
      "/benefit-batches/:batchId/payment-files",
      {
        config: { access: disburse },
        schema: {
          operationId: "makeBenefitPaymentFiles",
          tags: ["benefits"],
          summary:
            "The partner banks' payment files (cards whose financial function is active); the others failed with their reason",
          params: z.object({ batchId: uuidSchema }),
          response: {
            200: z.object({
              ...summary,
              files: z.array(z.object({ ...fileSummary, csv: z.string() })),
              newlyUnpayable: z.number().int(),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => benefits.makePaymentFiles(actorOf(request), request.params.batchId),
    );
    app.get(
      "/benefit-files/:fileId",
      {
        config: { access: disburse },
        schema: {
          operationId: "getBenefitPaymentFile",
          tags: ["benefits"],
          summary:
            "A partner bank's payment file again (CSV: payment_id,card_number,name,amount_fen,kind,period)",
          params: z.object({ fileId: uuidSchema }),
          response: {
            200: z.object({
              ...fileSummary,
              batchId: z.string(),
              createdAt: z.string(),
              returnedAt: z.string().nullable(),
              csv: z.string(),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => benefits.paymentFile(actorOf(request), request.params.fileId),
    );
    app.post(
      "/benefit-files/:fileId/return",
      {
        config: { access: disburse },
        bodyLimit: 40 * 1024 * 1024,
        schema: {
          operationId: "importBenefitReturnFile",
          tags: ["benefits"],
          summary: `The partner bank's return file (CSV: payment_id,result,bank_txn_no,reason; result ${BANK_RESULTS.join(", ")}): each row one transaction with its audit record; the same row again is accepted as replayed`,
          params: z.object({ fileId: uuidSchema }),
          body: csvBody,
          response: {
            200: z.object({
              fileId: z.string(),
              accepted: z.number().int(),
              rejected: z.number().int(),
              rows: rowsSchema,
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) =>
        worded(
          await benefits.importBankReturn(actorOf(request), request.params.fileId, request.body.csv),
          languageOf(request.headers["accept-language"]),
        ),
    );
    app.get(
      "/holder/benefits",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getMyBenefits",
          tags: ["holder"],
          summary: "The holder's benefits and, for one not paid, what to do",
          response: {
            200: z.array(
              z.object({
                kind,
                kindText: z.string(),
                period: z.string(),
                amountFen: z.number().int(),
                state,
                cardNumber: z.string().nullable(),
                paidAt: z.string().nullable(),
                paymentId: z.string(),
                failure,
                remedy: z.string().nullable(),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => benefits.ofHolder(actorOf(request), languageOf(request.headers["accept-language"])),
    );
  };
}
