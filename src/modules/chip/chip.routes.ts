import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Deps } from "../../deps.ts";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors, uuidSchema } from "../../http/schemas.ts";
import { PURCHASE_PERMISSIONS } from "./purchase.service.ts";
import { REMOTE_AUTH_PERMISSIONS } from "./remote-auth.service.ts";

/** Remote two-step authentication for cards the local PSAM cannot authenticate. */
export function chipRoutes(deps: Deps): FastifyPluginAsyncZod {
  const { remoteAuth, purchases } = deps;
  const access = { roles: REMOTE_AUTH_PERMISSIONS.authenticate };
  return async (app) => {
    app.post(
      "/remote-authentications",
      {
        config: { access },
        schema: {
          tags: ["chip"],
          summary:
            "Step 1: the external-authentication cryptogram for the card's challenge, and a random for its internal authentication",
          body: z.strictObject({
            cardIdCode: z.string().regex(/^\d{6}D156000005[0-9A-F]{16}$/, "a card identification code"),
            cardChallenge: z
              .string()
              .regex(/^[0-9A-Fa-f]{16}$/, "the card's 8-byte challenge (GET CHALLENGE)"),
          }),
          response: {
            201: z.object({
              authenticationId: uuidSchema,
              externalAuthCryptogram: z.string(),
              internalAuthRandom: z.string(),
              expiresInSeconds: z.number().int(),
            }),
            ...errors(...AUTH_ERRORS, 404, 409, 503),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await remoteAuth.step1(actorOf(request), request.body)),
    );

    app.post(
      "/purchases/tac-verification",
      {
        config: { access: { roles: PURCHASE_PERMISSIONS.verifyTac } },
        schema: {
          tags: ["chip"],
          summary: "Check the TAC a card returned for a debit (an invalid TAC is audited)",
          body: z.strictObject({
            cardIdCode: z.string().regex(/^\d{6}D156000005[0-9A-F]{16}$/),
            amountFen: z.number().int().min(1).max(100_000_000),
            terminalNo: z.string().regex(/^\d{12}$/),
            terminalTxnNo: z.string().regex(/^[0-9A-Fa-f]{8}$/),
            date: z.string().regex(/^\d{8}$/, "YYYYMMDD"),
            time: z.string().regex(/^\d{6}$/, "hhmmss"),
            tac: z.string().regex(/^[0-9A-Fa-f]{8}$/),
          }),
          response: { 200: z.object({ valid: z.boolean() }), ...errors(...AUTH_ERRORS, 503) },
        },
      },
      async (request) => purchases.verifyTac(actorOf(request), request.body),
    );

    app.post(
      "/remote-authentications/:id/complete",
      {
        config: { access },
        schema: {
          tags: ["chip"],
          summary:
            "Step 2: check the card's internal-authentication answer (each authentication completes once)",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({
            internalAuthResponse: z.string().regex(/^[0-9A-Fa-f]{32}$/, "16 bytes hex"),
          }),
          response: {
            200: z.object({ authenticated: z.literal(true), cardIdCode: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 503),
          },
        },
      },
      async (request) =>
        remoteAuth.step2(actorOf(request), {
          authenticationId: request.params.id,
          internalAuthResponse: request.body.internalAuthResponse,
        }),
    );
  };
}
