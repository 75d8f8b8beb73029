import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, amountFenSchema, errors, pinSchema, uuidSchema } from "../../http/schemas.ts";
import type { IssuerScriptsService } from "./issuer-scripts.service.ts";
import { CHIP_HOLDER_RECORDS, ISSUER_SCRIPT_PERMISSIONS } from "./issuer-scripts.service.ts";
import type { PersonalisationService } from "./personalisation.service.ts";
import { PERSONALISATION_PERMISSIONS } from "./personalisation.service.ts";
import type { PurchaseService } from "./purchase.service.ts";
import { PURCHASE_PERMISSIONS } from "./purchase.service.ts";
import type { RemoteAuthService } from "./remote-auth.service.ts";
import { REMOTE_AUTH_PERMISSIONS } from "./remote-auth.service.ts";

const cardIdCodeSchema = z.string().regex(/^\d{6}D156000005[0-9A-F]{16}$/, "a card identification code");
const challengeSchema = z.string().regex(/^[0-9A-Fa-f]{16}$/, "the card's 8-byte challenge (GET CHALLENGE)");
const scriptSchema = z.object({ apdu: z.string() });

/**
 * The chip side over HTTP: remote two-step authentication for cards the local PSAM cannot
 * authenticate, TAC checks, issuer scripts for the counter's card writer, holder certificates.
 */
export function chipRoutes(deps: {
  remoteAuth: RemoteAuthService;
  purchases: PurchaseService;
  issuerScripts: IssuerScriptsService;
  personalisation: PersonalisationService;
}): FastifyPluginAsyncZod {
  const { remoteAuth, purchases, issuerScripts, personalisation } = deps;
  const access = { permission: REMOTE_AUTH_PERMISSIONS.authenticate };
  return async (app) => {
    app.post(
      "/remote-authentications",
      {
        config: { access },
        schema: {
          operationId: "startRemoteAuthentication",
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
        config: { access: { permission: PURCHASE_PERMISSIONS.verifyTac } },
        schema: {
          operationId: "verifyPurchaseTac",
          tags: ["chip"],
          summary: "Check the TAC a card returned for a debit (an invalid TAC is audited)",
          body: z.strictObject({
            cardIdCode: z.string().regex(/^\d{6}D156000005[0-9A-F]{16}$/),
            amountFen: amountFenSchema,
            terminalNo: z.string().regex(/^\d{12}$/),
            terminalTxnNo: z.string().regex(/^[0-9A-Fa-f]{8}$/),
            date: z.string().regex(/^\d{8}$/, "YYYYMMDD"),
            time: z.string().regex(/^\d{6}$/, "hhmmss"),
            tac: z.string().regex(/^[0-9A-Fa-f]{8}$/),
          }),
          response: { 200: z.object({ valid: z.boolean() }), ...errors(...AUTH_ERRORS, 404, 409, 503) },
        },
      },
      async (request) => purchases.verifyTac(actorOf(request), request.body),
    );

    app.post(
      "/remote-authentications/:id/complete",
      {
        config: { access },
        schema: {
          operationId: "completeRemoteAuthentication",
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

    app.post(
      "/chip-cards/:cardIdCode/pin-unblock-script",
      {
        config: { access: { permission: ISSUER_SCRIPT_PERMISSIONS.write } },
        schema: {
          operationId: "issuePinUnblockScript",
          tags: ["chip"],
          summary:
            "The RESET RETRY COUNTER command that unblocks the chip PIN with a new one, for the card's challenge (one use)",
          params: z.object({ cardIdCode: cardIdCodeSchema }),
          body: z.strictObject({ cardChallenge: challengeSchema, newPin: pinSchema }),
          response: { 200: scriptSchema, ...errors(...AUTH_ERRORS, 404, 409, 422, 503) },
        },
      },
      async (request) =>
        issuerScripts.unblockPin(actorOf(request), {
          cardIdCode: request.params.cardIdCode,
          ...request.body,
        }),
    );

    app.post(
      "/chip-cards/:cardIdCode/record-update-script",
      {
        config: { access: { permission: ISSUER_SCRIPT_PERMISSIONS.write } },
        schema: {
          operationId: "issueRecordUpdateScript",
          tags: ["chip"],
          summary:
            "UPDATE RECORD with secure messaging: writes the registry's current holder field to the chip (one use)",
          params: z.object({ cardIdCode: cardIdCodeSchema }),
          body: z.strictObject({
            cardChallenge: challengeSchema,
            field: z.enum(Object.keys(CHIP_HOLDER_RECORDS) as [keyof typeof CHIP_HOLDER_RECORDS]),
          }),
          response: { 200: scriptSchema, ...errors(...AUTH_ERRORS, 404, 409, 503) },
        },
      },
      async (request) =>
        issuerScripts.updateHolderRecord(actorOf(request), {
          cardIdCode: request.params.cardIdCode,
          ...request.body,
        }),
    );

    app.get(
      "/chip-cards/:cardIdCode/certificate",
      {
        config: { access: { permission: PERSONALISATION_PERMISSIONS.certificate } },
        schema: {
          operationId: "getCardCertificate",
          tags: ["chip"],
          summary:
            "The card holder certificate (spec 3.00): the card's SM2 public key signed by its area's CA key",
          params: z.object({ cardIdCode: cardIdCodeSchema }),
          response: {
            200: z.object({
              format: z.literal("sscard-holder-certificate/1"),
              serial: z.string(),
              cardIdCode: z.string(),
              cardNumber: z.string(),
              subjectPublicKey: z.string(),
              issuerArea: z.string(),
              caKey: z.string(),
              notBefore: z.string(),
              notAfter: z.string(),
              signature: z.string(),
              publicKey: z.string(),
              userId: z.string(),
              algorithm: z.literal("SM2-SM3"),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => personalisation.certificate(actorOf(request), request.params.cardIdCode),
    );

    app.get(
      "/areas/:code/ca-key",
      {
        config: { access: { permission: PERSONALISATION_PERMISSIONS.certificate } },
        schema: {
          operationId: "getIssuerCaKey",
          tags: ["chip"],
          summary: "An area's CA public key, to check its holder certificates against",
          params: z.object({ code: z.string().regex(/^\d{6}$/) }),
          response: {
            200: z.object({ label: z.string(), publicKey: z.string(), version: z.number().int() }),
            ...errors(...AUTH_ERRORS, 503),
          },
        },
      },
      async (request) => personalisation.caKey(actorOf(request), request.params.code),
    );
  };
}
