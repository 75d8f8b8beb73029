import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  areaCodeSchema,
  cardNumberParams,
  dateSchema,
  errors,
  okSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { languageOf, worded } from "../../shared/messages.ts";
import type { Permission } from "../../shared/permissions.ts";
import {
  CANCEL_REASONS,
  CARD_ACTIONS,
  CARD_STATES,
  ECARD_BY_CARD_STATE,
  LIFECYCLE,
  lifecycleMermaid,
  REPLACEMENT_REASONS,
} from "./cards.rules.ts";
import type { CardsService } from "./cards.service.ts";
import { CARD_PERMISSIONS } from "./cards.service.ts";

const idNumber = z.string().min(1).max(32).describe("18-character citizen ID number (GB 11643)");

const cardSchema = z.object({
  id: uuidSchema,
  cardNumber: z.string(),
  cardIdCode: z.string(),
  specVersion: z.string(),
  cardType: z.string(),
  state: z.enum(CARD_STATES),
  socialSecurityFunction: z.enum(["not_activated", "activated"]),
  financialFunction: z.enum(["not_activated", "activated", "cancelled"]),
  bankCode: z.string().nullable(),
  areaCode: z.string(),
  holder: z.object({ personId: z.string(), idNumberMasked: z.string(), nameMasked: z.string() }),
  issueDate: z.string().nullable(),
  validUntil: z.string().nullable(),
  applicationKind: z.enum(["new", "replacement", "renewal"]),
  replacesCardNumber: z.string().nullable(),
  replacementReason: z.string().nullable(),
  tempCertificateNo: z
    .string()
    .nullable()
    .describe("temporary medical certificate number, valid until the new card is collected"),
  readyDate: z.string().nullable(),
  feeFen: z.number().int().nullable().describe("fee in fen (0.01 yuan)"),
  cancelReason: z.string().nullable(),
  canSettle: z.boolean().describe("false from the moment a loss is reported"),
  allowedActions: z.array(z.enum(CARD_ACTIONS)),
  services: z
    .array(z.enum(["replacement", "password_unlock", "password_reset", "financial_activate"]))
    .describe("the counter's services for a card in this state, beside the lifecycle actions"),
  passwordPurposes: z
    .array(z.enum(["query", "transaction", "identity"]))
    .describe("what the card's password may be checked for in this state"),
  holdsProvinceSlot: z.boolean().describe("counts as the holder's one card in the province"),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const reportSchema = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      status: z.enum(["accepted", "rejected"]),
      cardNumber: z.string().optional(),
      reasonCode: z.string().optional().describe("why a row was rejected: a stable code"),
      reason: z.string().optional().describe("the same, worded in the caller's language"),
    }),
  ),
});

const holderCheck = z.strictObject({
  holderIdNumber: idNumber.describe("the ID number on the document the holder presents"),
});
const agentSchema = z.strictObject({ idNumber, name: z.string().min(1).max(60) });

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
          }),
          response: { 201: cardSchema, ...errors(...AUTH_ERRORS, 404, 409) },
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

    const cardPost = <B extends z.ZodType>(
      url: string,
      summary: string,
      body: B,
      run: (actor: ReturnType<typeof actorOf>, cardNumber: string, body: z.infer<B>) => Promise<unknown>,
      permission: Permission = counter.permission,
    ) =>
      app.post(
        url,
        {
          config: { access: { permission } },
          schema: {
            tags: ["cards"],
            summary,
            params: cardNumberParams,
            body,
            response: { 200: cardSchema, ...errors(...AUTH_ERRORS, 404, 409, 422) },
          },
        },
        async (request) =>
          run(
            actorOf(request),
            (request.params as { cardNumber: string }).cardNumber,
            request.body as z.infer<B>,
          ) as never,
      );

    cardPost(
      "/cards/:cardNumber/issue",
      "Hand a delivered card to the holder (ID checked) or to the employer that applied or employs the holder (letter of introduction); optionally activate",
      z.strictObject({
        collectedBy: z.enum(["holder", "employer"]),
        holderIdNumber: idNumber.optional(),
        employerLetterRef: z.string().min(1).max(100).optional(),
        employerCreditCode: z
          .string()
          .max(18)
          .optional()
          .describe(
            "the collecting employer's unified social credit code: it applied for the card or employs the holder",
          ),
        activate: z
          .boolean()
          .describe("switch on the social security function now; otherwise the card stays archived"),
      }),
      (actor, n, body) => cards.issue(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/activate",
      "Activate the social security function of an archived card",
      holderCheck,
      (actor, n, body) => cards.activate(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/temporary-loss",
      "Report a temporary loss (hotline, counter, online, kiosk): settlement stops at once",
      z.strictObject({}),
      (actor, n) => cards.reportTemporaryLoss(actor, n),
      CARD_PERMISSIONS.reportLoss,
    );
    cardPost(
      "/cards/:cardNumber/temporary-loss/revoke",
      "Revoke a temporary loss after checking the holder's ID",
      holderCheck,
      (actor, n, body) => cards.revokeTemporaryLoss(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/cancel",
      "Cancel a card with its reason (an active financial function raises the bank's account-cancellation task)",
      z.strictObject({
        reason: z.enum(CANCEL_REASONS).exclude(["replaced", "pre_loss_not_revoked"]),
        holderIdNumber: idNumber
          .optional()
          .describe("the holder's ID checked at the counter: required on the holder's request"),
        agent: agentSchema.optional().describe("an agent acting for the holder, with their own ID"),
        recordRef: z
          .string()
          .max(100)
          .optional()
          .describe("the proving record's reference: required for death, emigration, transfer out"),
      }),
      (actor, n, body) => cards.cancel(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/financial/activate",
      "Activate the financial function (the card's partner bank, in person or by an agent)",
      z.strictObject({
        holderIdNumber: idNumber,
        agent: agentSchema.extend({ reason: z.enum(["elderly", "seriously_ill", "disabled"]) }).optional(),
        doorToDoor: z.boolean().optional(),
      }),
      (actor, n, body) => cards.activateFinancial(actor, n, body),
      CARD_PERMISSIONS.bank,
    );
    cardPost(
      "/cards/:cardNumber/replacements",
      "Apply for a new card: renewal before expiry (from the policy's lead days) or replacement for damage, chip failure, changed data or photo",
      z.strictObject({
        reason: z.enum(REPLACEMENT_REASONS),
        consent: z.boolean(),
        holderIdNumber: idNumber,
        photoRef: z.string().max(200).nullable().optional(),
      }),
      (actor, n, body) => cards.applyReplacement(actor, n, body),
    );

    app.post(
      "/cards/:cardNumber/formal-loss",
      {
        config: { access: counter },
        schema: {
          tags: ["cards"],
          summary:
            "Formal loss with replacement: a temporary medical certificate, a ready date in working days, the fee",
          params: cardNumberParams,
          body: z.strictObject({
            holderIdNumber: idNumber,
            agent: agentSchema.optional(),
            photoRef: z.string().max(200).nullable().optional(),
          }),
          response: {
            200: z.object({ lostCard: cardSchema, replacement: cardSchema }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => cards.reportFormalLoss(actorOf(request), request.params.cardNumber, request.body),
    );

    app.get(
      "/blacklist",
      {
        config: { access: { permission: CARD_PERMISSIONS.read } },
        schema: {
          tags: ["cards"],
          summary:
            "The terminals' blacklist changes after a version, in order, signed with SM2 (standard user ID)",
          querystring: z.strictObject({
            since: z.coerce.number().int().min(0).default(0),
            limit: z.coerce.number().int().min(1).max(50_000).default(10_000),
          }),
          response: {
            200: z.object({
              from: z.number().int(),
              to: z.number().int(),
              entries: z.array(
                z.object({
                  version: z.number().int(),
                  cardIdCode: z.string(),
                  action: z.enum(["add", "remove"]),
                  state: z.string(),
                }),
              ),
              signature: z.string(),
              publicKey: z.string(),
              userId: z.string(),
              algorithm: z.literal("SM2-SM3"),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.blacklistDelta(actorOf(request), request.query.since, request.query.limit),
    );

    app.get(
      "/bank-tasks",
      {
        config: { access: { permission: CARD_PERMISSIONS.bank } },
        schema: {
          tags: ["cards"],
          summary: "Open account-cancellation tasks of the calling clerk's bank",
          response: {
            200: z.array(
              z.object({
                id: z.string(),
                cardNumber: z.string(),
                areaCode: z.string(),
                kind: z.string(),
                reason: z.string(),
                createdAt: z.string(),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => cards.bankTasks(actorOf(request)),
    );

    app.post(
      "/bank-tasks/:id/confirm",
      {
        config: { access: { permission: CARD_PERMISSIONS.bank } },
        schema: {
          tags: ["cards"],
          summary: "Confirm the bank account is cancelled",
          params: z.object({ id: uuidSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await cards.confirmBankTask(actorOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    app.put(
      "/areas/:code/calendar/:date",
      {
        config: {
          access: { permission: CARD_PERMISSIONS.calendar, area: (r) => (r.params as { code: string }).code },
        },
        schema: {
          tags: ["areas"],
          summary: "Set a public holiday or a make-up working day in an area's working-day calendar",
          params: z.object({ code: areaCodeSchema, date: dateSchema }),
          body: z.strictObject({ kind: z.enum(["holiday", "workday"]), name: z.string().min(1).max(50) }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await cards.setCalendarDay(actorOf(request), request.params.code, {
          date: request.params.date,
          ...request.body,
        });
        return { ok: true as const };
      },
    );
  };
}
