import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, cardNumberParams, errors, uuidSchema } from "../../http/schemas.ts";
import { languageOf } from "../../shared/messages.ts";
import { worded } from "../../shared/row-reasons.ts";
import { cardBankRoutes } from "./cards.bank.routes.ts";
import { cardCounterRoutes } from "./cards.counter.routes.ts";
import {
  CANCEL_REASONS,
  CARD_ACTIONS,
  CARD_STATES,
  ECARD_BY_CARD_STATE,
  LIFECYCLE,
  lifecycleMermaid,
} from "./cards.rules.ts";

import { cardSchema, idNumber, reportSchema } from "./cards.schemas.ts";
import type { CardsService } from "./cards.service.ts";
import { CARD_PERMISSIONS } from "./cards.service.ts";

/** The physical card: applications, production, issue, loss, replacement, renewal, cancellation, bank tasks. */
export function cardsRoutes(deps: { cards: CardsService }): FastifyPluginAsyncZod {
  const { cards } = deps;
  const counter = { permission: CARD_PERMISSIONS.counter };
  return async (app) => {
    app.get(
      "/cards/lifecycle",
      {
        config: { access: { permission: CARD_PERMISSIONS.lifecycle } },
        schema: {
          operationId: "getCardLifecycle",
          tags: ["cards"],
          summary: "The card lifecycle as data: states, actions, transitions, and a Mermaid diagram",
          response: {
            200: z.object({
              states: z.array(z.enum(CARD_STATES)),
              actions: z.array(
                z.object({
                  action: z.enum(CARD_ACTIONS),
                  from: z.array(z.enum(CARD_STATES)),
                  to: z.string(),
                }),
              ),
              cancelReasons: z.array(z.enum(CANCEL_REASONS)),
              settlesIn: z.array(z.enum(CARD_STATES)),
              ecard: z
                .record(z.string(), z.string())
                .describe("the electronic card's availability in each state of its physical card"),
              mermaid: z.string(),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async () => ({
        states: [...CARD_STATES],
        actions: CARD_ACTIONS.map((action) => ({
          action,
          from: [...LIFECYCLE[action].from],
          to: LIFECYCLE[action].to,
        })),
        cancelReasons: [...CANCEL_REASONS],
        settlesIn: ["active" as const],
        ecard: { ...ECARD_BY_CARD_STATE },
        mermaid: lifecycleMermaid(),
      }),
    );

    app.post(
      "/cards/applications",
      {
        config: {
          access: {
            permission: CARD_PERMISSIONS.apply,
            area: (r) => (r.body as { areaCode?: string }).areaCode,
          },
        },
        schema: {
          operationId: "applyForCard",
          tags: ["cards"],
          summary:
            "An individual's card application (the person must be registered; one card per person per province)",
          body: z.strictObject({
            idNumber,
            areaCode: areaCodeSchema,
            photoRef: z.string().max(200).nullable().optional(),
            bankCode: z
              .string()
              .regex(/^[A-Z0-9]{2,16}$/)
              .nullable()
              .optional()
              .describe("the partner bank for the financial function"),
            guardian: z
              .strictObject({
                idNumber,
                name: z.string().trim().min(1).max(60),
                relation: z.enum(["parent", "grandparent", "other"]),
              })
              .optional()
              .describe("required for an applicant under 16: the guardian applying, with their own ID"),
          }),
          response: { 201: cardSchema, ...errors(...AUTH_ERRORS, 404, 409, 422) },
        },
      },
      async (request, reply) => reply.status(201).send(await cards.apply(actorOf(request), request.body)),
    );

    app.post(
      "/cards/applications/batch",
      {
        config: {
          access: {
            permission: CARD_PERMISSIONS.apply,
            area: (r) => (r.body as { areaCode?: string }).areaCode,
          },
        },
        bodyLimit: 64 * 1024 * 1024,
        schema: {
          operationId: "applyForCardsInBatch",
          tags: ["cards"],
          summary:
            "An employer's applications for its employees: CSV with a per-row report (format in docs/cards.md)",
          body: z.strictObject({ areaCode: areaCodeSchema, csv: z.string().min(1) }),
          response: { 200: reportSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) =>
        worded(
          await cards.applyBatch(actorOf(request), request.body),
          languageOf(request.headers["accept-language"]),
        ),
    );

    app.get(
      "/cards/production-batches",
      {
        config: {
          access: {
            permission: CARD_PERMISSIONS.produce,
            area: (r) => (r.query as { areaCode?: string }).areaCode,
          },
        },
        schema: {
          operationId: "listProductionBatches",
          tags: ["cards"],
          summary:
            "An area's production batches, newest first, with their cards by state (a batch not yet returned stays listed)",
          querystring: z.object({ areaCode: areaCodeSchema }),
          response: {
            200: z.array(
              z.object({
                batchId: z.string(),
                areaCode: z.string(),
                cardCount: z.number().int(),
                status: z.enum(["sent", "returned"]),
                createdAt: z.string(),
                returnedAt: z.string().nullable(),
                cardsByState: z.record(z.string(), z.number().int()),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.batches(actorOf(request), request.query.areaCode),
    );

    app.post(
      "/cards/production-batches",
      {
        config: {
          access: {
            permission: CARD_PERMISSIONS.produce,
            area: (r) => (r.body as { areaCode?: string }).areaCode,
          },
        },
        schema: {
          operationId: "sendToProduction",
          tags: ["cards"],
          summary: "Send an area's applications to the card factory; returns the factory file (CSV)",
          body: z.strictObject({
            areaCode: areaCodeSchema,
            limit: z.number().int().min(1).max(100_000).optional(),
          }),
          response: {
            201: z.object({
              batchId: z.string(),
              areaCode: z.string(),
              cardCount: z.number().int(),
              file: z.string(),
              personalisationFile: z
                .string()
                .describe(
                  "One JSON object per card (format sscard-personalisation/1): the chip's files, keys, initial PIN and holder key enciphered under the factory's transport key, and the holder certificate",
                ),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await cards.sendToProduction(actorOf(request), request.body)),
    );

    app.post(
      "/cards/production-batches/:batchId/return",
      {
        config: { access: { permission: CARD_PERMISSIONS.produce } },
        bodyLimit: 64 * 1024 * 1024,
        schema: {
          operationId: "importReturnFile",
          tags: ["cards"],
          summary:
            "Import the factory's return file: ok rows are delivered to the outlet, failed rows go back to applied",
          params: z.object({ batchId: uuidSchema }),
          body: z.strictObject({ csv: z.string().min(1) }),
          response: { 200: reportSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) =>
        worded(
          await cards.importReturnFile(actorOf(request), request.params.batchId, request.body.csv),
          languageOf(request.headers["accept-language"]),
        ),
    );

    app.get(
      "/cards",
      {
        config: { access: { permission: CARD_PERMISSIONS.read } },
        schema: {
          operationId: "listCardsByIdNumber",
          tags: ["cards"],
          summary: "A person's cards, by ID number",
          querystring: z.strictObject({ idNumber }),
          response: { 200: z.array(cardSchema), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => cards.listByIdNumber(actorOf(request), request.query.idNumber),
    );

    app.get(
      "/cards/duplicates",
      {
        config: { access: counter },
        schema: {
          operationId: "listDuplicateCards",
          tags: ["cards"],
          summary:
            "Persons holding several cards in one province (legacy data), with what to do with each card",
          querystring: z.strictObject({
            province: z
              .string()
              .regex(/^\d{2}$/)
              .optional(),
          }),
          response: {
            200: z.array(
              z.object({
                personId: z.string(),
                holder: z.object({ idNumberMasked: z.string(), nameMasked: z.string() }),
                province: z.string(),
                cards: z.array(
                  z.object({
                    cardNumber: z.string(),
                    state: z.string(),
                    financialFunction: z.string(),
                    advice: z.string(),
                  }),
                ),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.duplicates(actorOf(request), request.query.province),
    );

    app.get(
      "/cards/:cardNumber",
      {
        config: { access: { permission: CARD_PERMISSIONS.read } },
        schema: {
          operationId: "getCard",
          tags: ["cards"],
          summary: "Card status by card number",
          params: cardNumberParams,
          response: { 200: cardSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => cards.getByNumber(actorOf(request), request.params.cardNumber),
    );

    app.get(
      "/cards/:cardNumber/history",
      {
        config: { access: { permission: CARD_PERMISSIONS.read } },
        schema: {
          operationId: "getCardHistory",
          tags: ["cards"],
          summary: "The card's status history with actor and channel",
          params: cardNumberParams,
          response: {
            200: z.array(
              z.object({
                seq: z.number().int(),
                at: z.string(),
                action: z.string(),
                fromState: z.string().nullable(),
                toState: z.string(),
                actorType: z.string(),
                actorId: z.string(),
                actorRole: z.string(),
                channel: z.string(),
                details: z.record(z.string(), z.unknown()).nullable(),
              }),
            ),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => cards.history(actorOf(request), request.params.cardNumber),
    );

    await app.register(cardCounterRoutes(deps));
    await app.register(cardBankRoutes(deps));
  };
}
