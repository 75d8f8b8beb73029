import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, cardNumberParams, errors } from "../../http/schemas.ts";
import type { Permission } from "../../shared/permissions.ts";
import { CANCEL_REASONS, REPLACEMENT_REASONS } from "./cards.rules.ts";
import { agentSchema, cardSchema, holderCheck, idNumber } from "./cards.schemas.ts";
import type { CardsService } from "./cards.service.ts";
import { CARD_PERMISSIONS } from "./cards.service.ts";

/** The outlet's lifecycle actions on a card: hand-over, activation, losses, cancellation, replacement, the financial function. */
export function cardCounterRoutes(deps: { cards: CardsService }): FastifyPluginAsyncZod {
  const { cards } = deps;
  const counter = { permission: CARD_PERMISSIONS.counter };
  return async (app) => {
    const cardPost = <B extends z.ZodType>(
      url: string,
      operationId: string,
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
            operationId,
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
      "issueCard",
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
        collectionSlip: z
          .string()
          .min(1)
          .max(2000)
          .optional()
          .describe(
            "a replacement after a formal loss: the collection slip's number (LK…) or the text of its scanned QR code",
          ),
        collectionSlipLost: z
          .boolean()
          .optional()
          .describe("the holder has lost the collection slip: the ID card is checked and the slip ended"),
      }),
      (actor, n, body) => cards.issue(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/activate",
      "activateCard",
      "Activate the social security function of an archived card",
      holderCheck,
      (actor, n, body) => cards.activate(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/temporary-loss",
      "reportTemporaryLoss",
      "Report a temporary loss (hotline, counter, online, kiosk): settlement stops at once",
      z.strictObject({}),
      (actor, n) => cards.reportTemporaryLoss(actor, n),
      CARD_PERMISSIONS.reportLoss,
    );
    cardPost(
      "/cards/:cardNumber/temporary-loss/revoke",
      "revokeTemporaryLoss",
      "Revoke a temporary loss after checking the holder's ID",
      holderCheck,
      (actor, n, body) => cards.revokeTemporaryLoss(actor, n, body),
    );
    cardPost(
      "/cards/:cardNumber/cancel",
      "cancelCard",
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
      "activateFinancialFunction",
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
      "applyForReplacement",
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
          operationId: "reportFormalLoss",
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
  };
}
