import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  areaCodeSchema,
  cardNumberParams,
  cardNumberSchema,
  dateSchema,
  errors,
  idNumberSchema,
  pinSchema,
  temporaryCertificateNoSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { PASSWORD_PERMISSIONS } from "../credentials/credentials.service.ts";
import { CHECK_DIAGNOSTICS, ENROLMENT_STATUSES, SCHEME_NAMES } from "./enrolment.rules.ts";
import type { EnrolmentService } from "./enrolment.service.ts";
import { ENROLMENT_PERMISSIONS } from "./enrolment.service.ts";

const reasonSchema = z.string().trim().min(1).max(200);
const schemeSchema = z.enum(SCHEME_NAMES);
const statusSchema = z.enum(ENROLMENT_STATUSES);
const numberSchema = z.string().regex(/^\d{16}$/, "a 16-digit personal number");

const enrolmentSchema = z.object({
  id: uuidSchema,
  scheme: schemeSchema,
  areaCode: z.string(),
  areaName: z.string().describe("the county or city by its full name"),
  coordinationArea: z.string(),
  personalNumber: z.string(),
  survivingNumber: z.string(),
  employerId: z.string().nullable(),
  startDate: z.string(),
  status: statusSchema,
  statusReason: z.string().nullable(),
  version: z.number().int(),
});
const historySchema = z.object({
  enrolments: z.array(
    enrolmentSchema.extend({
      history: z.array(
        z.object({
          at: z.string(),
          action: z.string(),
          from: z.string().nullable(),
          to: z.string(),
          reason: z.string().nullable(),
        }),
      ),
    }),
  ),
});
const arrearsSchema = z.object({
  id: uuidSchema,
  coordinationArea: z.string(),
  fromDate: z.string(),
  toDate: z.string().nullable(),
  reason: z.string(),
});
const text = z.object({ cause: z.string(), remedy: z.string() });
const checkSchema = z.object({
  result: z.enum(["INSURED", ...(Object.keys(CHECK_DIAGNOSTICS) as [string, ...string[]])]),
  insured: z.boolean(),
  diagnostic: z.object({ code: z.string(), zh: text, en: text }).optional(),
  cardNumber: z.string().optional(),
  temporaryCertificateNo: z.string().optional(),
  medicalFunction: z.literal("active").optional(),
  medicalInsuranceNumber: z.string().optional().describe("the card's bar code"),
  coordinationArea: z.string().optional(),
  schemes: z.array(z.object({ scheme: schemeSchema, status: statusSchema, areaCode: z.string() })).optional(),
  holder: z
    .object({
      personalNumbers: z.array(z.object({ number: z.string(), mergedInto: z.string().nullable() })),
      address: z.string().nullable(),
    })
    .optional()
    .describe("counter staff and administrators only"),
  homeProvince: z
    .object({
      code: z.string(),
      name: z.string(),
      source: z
        .enum(["home", "registry"])
        .describe(
          "registry: the home province could not answer; its last published card state refused the card",
        ),
    })
    .optional()
    .describe("a card of another province, checked through the national hub"),
});
/** The online checks made on a card (staff and the holder see the same list). */
export const checksSchema = z.array(
  z.object({
    at: z.string(),
    checkedBy: z.string(),
    place: z.string().nullable().describe("the institution or outlet where the card was checked"),
    role: z.string(),
    channel: z.string(),
    result: z.string(),
  }),
);

/** Enrolment, personal numbers and their merge, arrears, and the online check at card reading. */
export function enrolmentRoutes(deps: { enrolment: EnrolmentService }): FastifyPluginAsyncZod {
  const { enrolment } = deps;
  const manage = { permission: ENROLMENT_PERMISSIONS.manage };
  const read = { permission: ENROLMENT_PERMISSIONS.read };
  return async (app) => {
    app.post(
      "/enrolments",
      {
        config: { access: manage },
        schema: {
          operationId: "enrol",
          tags: ["enrolment"],
          summary:
            "Enrol a person in a scheme in a county; other active enrolments of the same kind in the coordination area are listed, or suspended with suspendOther",
          body: z.strictObject({
            idNumber: idNumberSchema,
            scheme: schemeSchema,
            areaCode: areaCodeSchema,
            startDate: dateSchema,
            employerId: uuidSchema.nullable().optional(),
            suspendOther: z.strictObject({ reason: reasonSchema }).optional(),
          }),
          response: {
            201: z.object({ enrolment: enrolmentSchema, duplicatesInArea: z.array(uuidSchema) }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) => reply.status(201).send(await enrolment.enrol(actorOf(request), request.body)),
    );

    app.get(
      "/enrolments",
      {
        config: { access: read },
        schema: {
          operationId: "listEnrolments",
          tags: ["enrolment"],
          summary: "A person's enrolments everywhere, each with its history",
          querystring: z.strictObject({ idNumber: idNumberSchema }),
          response: { 200: historySchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => enrolment.ofPerson(actorOf(request), request.query.idNumber),
    );
    app.get(
      "/holder/enrolments",
      {
        config: { access: "holder" },
        schema: {
          operationId: "listOwnEnrolments",
          tags: ["holder"],
          summary:
            "My enrolments everywhere with their history, and the arrears (payment suspension) in force today",
          response: {
            200: historySchema.extend({ arrears: z.array(arrearsSchema) }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => enrolment.ofHolder(actorOf(request)),
    );

    app.post(
      "/enrolments/:id/status",
      {
        config: { access: manage },
        schema: {
          operationId: "setEnrolmentStatus",
          tags: ["enrolment"],
          summary: "Suspend, resume, seal, transfer out or terminate an enrolment",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ to: statusSchema, reason: reasonSchema, version: z.number().int().min(1) }),
          response: { 200: enrolmentSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => enrolment.setStatus(actorOf(request), request.params.id, request.body),
    );

    app.get(
      "/personal-numbers/:number",
      {
        config: { access: read },
        schema: {
          operationId: "getByPersonalNumber",
          tags: ["enrolment"],
          summary: "Everything filed under a personal number (after a merge: the same from every alias)",
          params: z.object({ number: numberSchema }),
          response: {
            200: historySchema.extend({
              number: z.string(),
              survivingNumber: z.string(),
              aliases: z.array(z.string()),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => enrolment.ofPersonalNumber(actorOf(request), request.params.number),
    );

    const mergeBody = {
      idNumber: idNumberSchema,
      coordinationArea: areaCodeSchema,
    };
    app.post(
      "/personal-numbers/merge-preview",
      {
        config: { access: manage },
        schema: {
          operationId: "previewMerge",
          tags: ["enrolment"],
          summary:
            "What merging a person's personal numbers in an area would do, with the token to commit it",
          body: z.strictObject({ ...mergeBody, survivor: numberSchema.optional() }),
          response: {
            200: z.object({
              survivor: z.string(),
              merged: z.array(z.string()),
              enrolments: z.array(
                z.object({
                  id: z.string(),
                  scheme: schemeSchema,
                  personalNumber: z.string(),
                  status: statusSchema,
                  version: z.number().int(),
                }),
              ),
              conflicts: z
                .array(z.object({ family: z.string(), enrolmentIds: z.array(z.string()) }))
                .describe(
                  "families the person would be actively insured in twice: suspend all but one with the merge",
                ),
              reviewToken: z.string(),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => enrolment.previewMerge(actorOf(request), request.body),
    );

    app.post(
      "/personal-numbers/merge",
      {
        config: { access: manage },
        schema: {
          operationId: "commitMerge",
          tags: ["enrolment"],
          summary:
            "Merge the personal numbers as reviewed, after checking the holder's ID: one survives, the others become its aliases",
          body: z.strictObject({
            ...mergeBody,
            survivor: numberSchema,
            holderIdNumber: idNumberSchema.describe("the ID number on the document the holder presents"),
            reviewToken: z.string().min(1).max(64),
            suspend: z
              .array(z.uuid())
              .max(20)
              .optional()
              .describe(
                "active enrolments to suspend with the merge, so the person is insured once per family",
              ),
          }),
          response: {
            200: z.object({
              survivor: z.string(),
              aliases: z.array(z.string()),
              suspended: z.array(z.string()),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => enrolment.commitMerge(actorOf(request), request.body),
    );

    app.post(
      "/arrears",
      {
        config: { access: manage },
        schema: {
          operationId: "recordArrears",
          tags: ["enrolment"],
          summary:
            "Record arrears (payment suspension) from a date: the medical function is suspended at once",
          body: z.strictObject({
            idNumber: idNumberSchema,
            coordinationArea: areaCodeSchema,
            fromDate: dateSchema,
            reason: reasonSchema,
          }),
          response: { 201: arrearsSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await enrolment.recordArrears(actorOf(request), request.body)),
    );

    app.post(
      "/arrears/:id/end",
      {
        config: { access: manage },
        schema: {
          operationId: "endArrears",
          tags: ["enrolment"],
          summary: "End arrears on a date (paid): the medical function is back from that day",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ toDate: dateSchema }),
          response: { 200: arrearsSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => enrolment.endArrears(actorOf(request), request.params.id, request.body),
    );

    app.post(
      "/online-checks",
      {
        config: { access: { permission: ENROLMENT_PERMISSIONS.check } },
        schema: {
          operationId: "checkCardOnline",
          tags: ["enrolment"],
          summary:
            "The online check after reading a card: the insured status, or a diagnostic with its cause and remedy (every check is logged)",
          body: z.strictObject({
            cardNumber: cardNumberSchema.optional(),
            temporaryCertificateNo: temporaryCertificateNoSchema
              .optional()
              .describe("instead of cardNumber during a replacement after a formal loss"),
            cardIdCode: z.string().max(32).optional(),
            idNumber: idNumberSchema.optional(),
            name: z.string().max(64).optional(),
          }),
          response: { 200: checkSchema, ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => enrolment.check(actorOf(request), request.body),
    );

    app.get(
      "/cards/:cardNumber/online-checks",
      {
        config: { access: read },
        schema: {
          operationId: "listOnlineChecks",
          tags: ["enrolment"],
          summary: "The online checks made on a card: who checked, when, with what result",
          params: cardNumberParams,
          response: { 200: checksSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => enrolment.checksOfCard(actorOf(request), request.params.cardNumber),
    );

    app.post(
      "/cards/:cardNumber/online-checks/holder-view",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.verify } },
        schema: {
          operationId: "listOnlineChecksForHolder",
          tags: ["enrolment"],
          summary:
            "The holder's own list of checks on the card (kiosk, 12333, counter), after the card's social security password",
          params: cardNumberParams,
          body: z.strictObject({ pin: pinSchema }),
          response: { 200: checksSchema, ...errors(...AUTH_ERRORS, 404, 409, 423, 429) },
        },
      },
      async (request) =>
        enrolment.checksForHolder(actorOf(request), request.params.cardNumber, {
          pin: request.body.pin,
          source: request.ip,
        }),
    );
    app.post(
      "/medical/arrears-runs",
      {
        config: { access: { permission: ENROLMENT_PERMISSIONS.arrearsRun } },
        schema: {
          operationId: "runArrears",
          tags: ["enrolment"],
          summary:
            "Compute arrears per person and month in the caller's areas; beyond the area's grace the medical function is suspended until paid",
          response: {
            200: z.object({
              lastDueMonth: z.string(),
              checked: z.number().int(),
              suspended: z.number().int(),
              alreadySuspended: z.number().int(),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => enrolment.arrearsRun(actorOf(request)),
    );
  };
}
