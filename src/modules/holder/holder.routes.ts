import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, cardNumberParams, errors, pinSchema } from "../../http/schemas.ts";
import { type CardState, holderAllowedActions } from "../cards/cards.rules.ts";
import type { CardsService } from "../cards/cards.service.ts";
import type { CredentialsService } from "../credentials/credentials.service.ts";
import { checksSchema } from "../enrolment/enrolment.routes.ts";
import type { EnrolmentService } from "../enrolment/enrolment.service.ts";
import type { HolderService } from "./holder.service.ts";

const pin = pinSchema;
const cardParams = cardNumberParams;
/** A card as its holder sees it: the actions listed are the ones the holder can take online. */
const asHolderSees = <T extends { state: CardState; allowedActions: string[] }>(card: T): T => ({
  ...card,
  allowedActions: holderAllowedActions(card.state),
});

const holderCard = z
  .object({
    cardNumber: z.string(),
    state: z.string(),
    areaCode: z.string(),
    issueDate: z.string().nullable(),
    validUntil: z.string().nullable(),
    applicationKind: z.string(),
    readyDate: z.string().nullable(),
    tempCertificateNo: z.string().nullable(),
    allowedActions: z.array(z.string()),
    history: z.array(
      z.object({
        at: z.string(),
        action: z.string(),
        fromState: z.string().nullable(),
        toState: z.string(),
        channel: z.string(),
      }),
    ),
  })
  .passthrough();

/** A hall session opened by either sign-in. */
export const sessionSchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  idleMinutes: z.number(),
  scope: z
    .enum(["all", "query"])
    .describe("query: a kiosk session by the ID card alone, reads and prints only"),
  holder: z.object({ nameMasked: z.string(), idNumberMasked: z.string() }),
  initialPassword: z
    .boolean()
    .optional()
    .describe("signed in with the card's initial password: the hall asks the holder to change it"),
});

/** The online service hall's API for holders signed in with ID number and social security password. */
export function holderRoutes(deps: {
  holder: HolderService;
  cards: CardsService;
  credentials: CredentialsService;
  enrolment: EnrolmentService;
}): FastifyPluginAsyncZod {
  const { holder, cards, credentials, enrolment } = deps;
  return async (app) => {
    app.post(
      "/holder/login",
      {
        config: { access: "public" },
        schema: {
          operationId: "holderSignIn",
          tags: ["holder"],
          summary:
            "Sign in to the online service hall with the ID number and the card's social security password",
          body: z.strictObject({ idNumber: z.string().min(1).max(32), pin }),
          response: {
            200: sessionSchema,
            ...errors(400, 401, 403, 404, 409, 423, 429),
          },
        },
      },
      async (request) => holder.login({ ...request.body, source: request.ip }),
    );

    app.post(
      "/holder/login/ecard",
      {
        config: { access: "public" },
        schema: {
          operationId: "holderSignInWithEcard",
          tags: ["holder"],
          summary:
            "Sign in to the online service hall with the e-card: the identity code the holder's app shows",
          body: z.strictObject({ code: z.string().min(10).max(2000) }),
          response: {
            200: sessionSchema,
            ...errors(400, 401, 404, 422),
          },
        },
      },
      async (request) => holder.loginWithEcard(request.body),
    );

    app.post(
      "/holder/logout",
      {
        config: { access: "holder", forQuerySessions: true },
        schema: {
          operationId: "holderSignOut",
          tags: ["holder"],
          summary: "Sign out",
          response: { 204: z.null(), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request, reply) => {
        await holder.logout(request.headers.authorization?.slice(7).trim() ?? "");
        return reply.status(204).send(null);
      },
    );

    app.get(
      "/holder/cards",
      {
        config: { access: "holder" },
        schema: {
          operationId: "listOwnCards",
          tags: ["holder"],
          summary: "My cards, newest first, with their states, applications (ready date) and histories",
          response: { 200: z.array(holderCard), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => cards.ofHolder(actorOf(request)),
    );

    app.post(
      "/holder/cards/:cardNumber/temporary-loss",
      {
        config: { access: "holder" },
        schema: {
          operationId: "reportOwnCardLost",
          tags: ["holder"],
          summary: "Report my card lost for now (pre-loss), at any hour",
          params: cardParams,
          response: { 200: holderCard.omit({ history: true }), ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        asHolderSees(await cards.reportTemporaryLoss(actorOf(request), request.params.cardNumber)),
    );

    app.post(
      "/holder/cards/:cardNumber/temporary-loss/revoke",
      {
        config: { access: "holder" },
        schema: {
          operationId: "revokeOwnCardLoss",
          tags: ["holder"],
          summary: "Revoke my pre-loss: the card returns to its earlier state",
          params: cardParams,
          response: { 200: holderCard.omit({ history: true }), ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        asHolderSees(
          await cards.revokeTemporaryLoss(actorOf(request), request.params.cardNumber, {
            holderIdNumber: "",
          }),
        ),
    );

    app.post(
      "/holder/cards/:cardNumber/renewal",
      {
        config: { access: "holder" },
        schema: {
          operationId: "renewOwnCard",
          tags: ["holder"],
          summary:
            "Apply online to renew my card in its renewal window (my consent to produce the new card is required)",
          params: cardParams,
          body: z.strictObject({ consent: z.literal(true) }),
          response: { 201: holderCard.omit({ history: true }), ...errors(...AUTH_ERRORS, 404, 409, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(
          asHolderSees(
            await cards.applyReplacement(actorOf(request), request.params.cardNumber, {
              reason: "expiry",
              consent: true,
              holderIdNumber: "",
            }),
          ),
        ),
    );

    app.post(
      "/holder/cards/:cardNumber/password/change",
      {
        config: { access: "holder" },
        schema: {
          operationId: "changeOwnCardPassword",
          tags: ["holder"],
          summary: "Change my card's social security password",
          params: cardParams,
          body: z.strictObject({ current: pin, next: pin }),
          response: {
            200: z.object({ changed: z.literal(true) }),
            ...errors(...AUTH_ERRORS, 404, 409, 423, 429),
          },
        },
      },
      async (request) =>
        credentials.change(
          actorOf(request),
          request.params.cardNumber,
          { current: { pin: request.body.current }, next: { pin: request.body.next } },
          request.ip,
        ),
    );

    app.get(
      "/holder/cards/:cardNumber/online-checks",
      {
        config: { access: "holder" },
        schema: {
          operationId: "listOwnOnlineChecks",
          tags: ["holder"],
          summary: "Which institutions checked my card, and when",
          params: cardParams,
          response: { 200: checksSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => enrolment.checksOfCard(actorOf(request), request.params.cardNumber),
    );
  };
}
