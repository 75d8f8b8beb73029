import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  areaCodeSchema,
  dateSchema,
  errors,
  idNumberSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { medicalHolderRoutes } from "./medical.holder.routes.ts";
import { classSchema, code, fen, institutionSchema, monthSchema } from "./medical.schemas.ts";
import type { MedicalService } from "./medical.service.ts";
import { MEDICAL_PERMISSIONS } from "./medical.service.ts";
import { medicalSettlementRoutes } from "./medical.settlement.routes.ts";

/** Institutions, the catalogue, contributions, the monthly credit, settlements, refunds, reconciliation, the holder's account. */
export function medicalRoutes(deps: { medical: MedicalService }): FastifyPluginAsyncZod {
  const { medical } = deps;
  return async (app) => {
    app.post(
      "/institutions",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.institutions } },
        schema: {
          operationId: "registerInstitution",
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
          operationId: "listInstitutions",
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
          operationId: "setAgreement",
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
          operationId: "attachTerminal",
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
          operationId: "importCatalogue",
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
      "/catalogue/items",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.searchCatalogue } },
        schema: {
          operationId: "searchCatalogue",
          tags: ["medical"],
          summary:
            "Items of the catalogue in force today by code prefix or part of the name (the till's search, the kiosk's policy consultation)",
          querystring: z.object({
            q: z.string().max(40).describe("the beginning of a code, or part of a name"),
            limit: z.coerce.number().int().min(1).max(50).default(20),
          }),
          response: {
            200: z.object({
              version: z.number().int(),
              items: z.array(
                z.object({
                  code: z.string(),
                  name: z.string(),
                  class: classSchema,
                  selfPayBp: z
                    .number()
                    .int()
                    .describe("the self-paid share of a covered item, in basis points"),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => medical.searchCatalogue(actorOf(request), request.query.q, request.query.limit),
    );
    app.get(
      "/catalogue",
      {
        config: { access: { permission: MEDICAL_PERMISSIONS.read } },
        schema: {
          operationId: "getCatalogue",
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
          operationId: "payContribution",
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
          operationId: "payOwnContribution",
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
          operationId: "creditMonth",
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

    await app.register(medicalSettlementRoutes(deps));
    await app.register(medicalHolderRoutes(deps));
  };
}
