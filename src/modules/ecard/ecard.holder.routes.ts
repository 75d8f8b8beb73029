import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors, pinSchema, uuidSchema } from "../../http/schemas.ts";
import { ecardDeviceRoutes } from "./ecard.device.routes.ts";
import { credentialSchema } from "./ecard.schemas.ts";
import type { EcardService } from "./ecard.service.ts";

/** The e-card in the online service hall: the holder's own view, suspension, consent, the authorisation while the card is lost. */
export function ecardHolderRoutes(deps: { ecard: EcardService }): FastifyPluginAsyncZod {
  const { ecard } = deps;
  return async (app) => {
    app.get(
      "/holder/ecard",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getOwnEcard",
          tags: ["holder"],
          summary: "My e-card: whether it can be used now, the channels (apps) it is in, recent payments",
          response: {
            200: z.object({
              ecardId: z.string(),
              suspended: z.boolean(),
              biometricConsent: z.boolean(),
              keptFacePhotos: z.number().int(),
              scope: z.string(),
              reason: z.string(),
              channels: z.array(
                z.object({ code: z.string(), name: z.string(), state: z.string(), since: z.string() }),
              ),
              recentPayments: z.array(z.object({ at: z.string() })),
              passwordSet: z.boolean().describe("whether the e-card password has been set"),
              passwordLocked: z.boolean().describe("locked after wrong passwords (a reset unlocks it)"),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => ecard.holderView(actorOf(request)),
    );

    app.post(
      "/holder/ecard/devices",
      {
        config: { access: "holder" },
        schema: {
          operationId: "enableEcardCodesInHall",
          tags: ["holder"],
          summary:
            "Show my e-card's codes on this browser: binds the browser's SM2 key to my e-card for the hall channel after the e-card password; the browser then makes its identity and payment codes",
          body: z.strictObject({ devicePublicKey: z.string().max(140), pin: pinSchema }),
          response: {
            201: z.object({ ecardId: z.string(), credential: credentialSchema, scope: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 409, 422, 423),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await ecard.enableCodesHere(actorOf(request), request.body)),
    );

    app.get(
      "/holder/ecard/family",
      {
        config: { access: "holder" },
        schema: {
          operationId: "listOwnFamilyMembers",
          tags: ["holder"],
          summary: "The relatives my e-card carries (family service), masked, with their e-cards",
          response: {
            200: z.array(
              z.object({
                familyId: uuidSchema,
                relationship: z.string(),
                nameMasked: z.string(),
                idNumberMasked: z.string(),
                ecardId: z.string().nullable(),
                addedAt: z.string(),
              }),
            ),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => ecard.familyOf(actorOf(request)),
    );

    await app.register(ecardDeviceRoutes(ecard, "holder"));

    app.post(
      "/holder/ecard/suspension",
      {
        config: { access: "holder" },
        schema: {
          operationId: "setOwnEcardSuspension",
          tags: ["holder"],
          summary: "Suspend my e-card in every app at once (or lift the suspension)",
          body: z.strictObject({ suspended: z.boolean() }),
          response: { 200: z.object({ suspended: z.boolean() }), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => ecard.setSuspendedByHolder(actorOf(request), request.body.suspended),
    );

    app.post(
      "/holder/ecard/biometric-consent/withdrawal",
      {
        config: { access: "holder" },
        schema: {
          operationId: "withdrawBiometricConsent",
          tags: ["holder"],
          summary: "Withdraw my biometric consent: the face images kept under it are deleted at once",
          response: {
            200: z.object({ deletedPhotos: z.number().int(), withdrawnConsents: z.number().int() }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => ecard.withdrawBiometricConsent(actorOf(request)),
    );

    app.post(
      "/holder/ecard/authorisations",
      {
        config: { access: "holder" },
        schema: {
          operationId: "authoriseEcardWhileLost",
          tags: ["holder"],
          summary: "Authorise my e-card for a few hours while my card is temporarily lost",
          body: z.strictObject({ hours: z.number().int().min(1).max(72) }),
          response: {
            201: z.object({ ecardId: z.string(), expiresAt: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await ecard.authoriseWhileLost(actorOf(request), request.body)),
    );
  };
}
