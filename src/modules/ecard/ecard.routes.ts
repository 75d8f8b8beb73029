import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  dateSchema,
  errors,
  idNumberSchema,
  pinSchema,
  uuidSchema,
} from "../../http/schemas.ts";
import { ecardDeviceRoutes } from "./ecard.device.routes.ts";
import { ecardHolderRoutes } from "./ecard.holder.routes.ts";
import {
  codeCheckSchema,
  credentialSchema,
  ecardIdSchema,
  jpegBase64,
  nationalStatusCursor,
  nationalStatusList,
  statusEntries,
} from "./ecard.schemas.ts";
import type { EcardService } from "./ecard.service.ts";
import { CHANNEL_CLASSES, CHANNEL_SERVICES, ECARD_PERMISSIONS } from "./ecard.service.ts";

/** The electronic card: channels, identity photos, sign-up, credentials, status list, codes, authorisation. */
export function ecardRoutes(deps: { ecard: EcardService }): FastifyPluginAsyncZod {
  const { ecard } = deps;
  const terminal = { permission: ECARD_PERMISSIONS.terminal };
  return async (app) => {
    app.post(
      "/ecard/channels",
      {
        config: { access: { permission: ECARD_PERMISSIONS.channels } },
        schema: {
          operationId: "registerEcardChannel",
          tags: ["ecard"],
          summary:
            "Register an e-card channel (app): level 1, or level 2 through a level-1 channel; its token is shown once",
          body: z.strictObject({
            code: z.string().regex(/^[a-z0-9][a-z0-9-]{1,31}$/),
            name: z.string().min(1).max(100),
            class: z.enum(CHANNEL_CLASSES),
            level: z.union([z.literal(1), z.literal(2)]),
            parentCode: z.string().max(32).optional(),
            services: z.array(z.enum(CHANNEL_SERVICES)).min(1),
          }),
          response: {
            201: z.object({
              id: uuidSchema,
              code: z.string(),
              level: z.number(),
              state: z.string(),
              token: z.string(),
            }),
            ...errors(...AUTH_ERRORS, 409),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await ecard.registerChannel(actorOf(request), request.body)),
    );

    app.post(
      "/ecard/channels/:id/state",
      {
        config: { access: { permission: ECARD_PERMISSIONS.channels } },
        schema: {
          operationId: "setEcardChannelState",
          tags: ["ecard"],
          summary:
            "Suspend, reactivate or retire a channel (a suspended channel is refused at its next call)",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ state: z.enum(["active", "suspended", "exited"]) }),
          response: { 200: z.object({ id: z.string(), state: z.string() }), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => ecard.setChannelState(actorOf(request), request.params.id, request.body.state),
    );

    app.put(
      "/persons/:id/photo",
      {
        config: { access: { permission: ECARD_PERMISSIONS.photos } },
        schema: {
          operationId: "setIdentityPhoto",
          tags: ["ecard"],
          summary: "Store a person's identity photo (encrypted) for face verification",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ jpegBase64, takenOn: dateSchema }),
          response: { 204: z.null(), ...errors(...AUTH_ERRORS, 404) },
        },
        bodyLimit: 6 * 1024 * 1024,
      },
      async (request, reply) => {
        await ecard.setIdentityPhoto(actorOf(request), request.params.id, {
          jpeg: Buffer.from(request.body.jpegBase64, "base64"),
          takenOn: request.body.takenOn,
        });
        return reply.status(204).send(null);
      },
    );

    app.post(
      "/ecard/counter-tickets",
      {
        config: { access: { permission: ECARD_PERMISSIONS.photos } },
        schema: {
          operationId: "issueCounterTicket",
          tags: ["ecard"],
          summary:
            "After checking the holder's ID at the counter: a one-time ticket to sign up without face verification",
          body: z.strictObject({ idNumber: idNumberSchema, holderIdNumber: idNumberSchema }),
          response: {
            201: z.object({ ticket: z.string(), expiresAt: z.string() }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await ecard.counterTicket(actorOf(request), request.body)),
    );

    app.post(
      "/ecard/signups",
      {
        config: { access: "channel" },
        schema: {
          operationId: "signUpForEcard",
          tags: ["ecard"],
          summary:
            "A channel signs its user up: name, ID number, privacy consent, the channel's real-name identity, a live photo for face verification, the device key",
          body: z.strictObject({
            name: z.string().min(1).max(64),
            idNumber: idNumberSchema,
            consentTextVersion: z.string().max(32),
            realName: z.strictObject({ name: z.string().min(1).max(64), idNumber: idNumberSchema }),
            livePhotoBase64: jpegBase64.optional(),
            counterTicket: z
              .string()
              .regex(/^[A-Za-z0-9]{10}$/)
              .optional()
              .describe("instead of the live photo: the ticket a counter gave after checking the ID"),
            keepPhotoConsentTextVersion: z
              .string()
              .max(32)
              .optional()
              .describe(
                "the biometric consent text version the user agreed to separately: only then is the live photo kept (encrypted)",
              ),
            devicePublicKey: z.string().max(140),
          }),
          response: {
            201: z.object({ ecardId: z.string(), credential: credentialSchema }),
            ...errors(...AUTH_ERRORS, 404, 409, 422),
          },
        },
        bodyLimit: 6 * 1024 * 1024,
      },
      async (request, reply) =>
        reply.status(201).send(
          await ecard.signUp(actorOf(request), {
            ...request.body,
            livePhoto:
              request.body.livePhotoBase64 === undefined
                ? undefined
                : Buffer.from(request.body.livePhotoBase64, "base64"),
          }),
        ),
    );

    const pin = pinSchema;
    app.post(
      "/ecard/password/verify",
      {
        config: { access: "channel" },
        schema: {
          operationId: "verifyEcardPassword",
          tags: ["ecard"],
          summary: "Verify the e-card password (its own lockout by the area's policy)",
          body: z.strictObject({ ecardId: ecardIdSchema, pin }),
          response: { 200: z.object({ ok: z.literal(true) }), ...errors(...AUTH_ERRORS, 404, 409, 422, 423) },
        },
      },
      async (request) => ecard.password(actorOf(request), { op: "verify", ...request.body }),
    );

    await app.register(ecardDeviceRoutes(ecard, "channel"));

    app.get(
      "/ecard/issuer-keys",
      {
        config: { access: terminal },
        schema: {
          operationId: "getEcardIssuerKeys",
          tags: ["ecard"],
          summary: "The issuer public keys (SM2) that verify e-card credentials offline",
          response: { 200: z.record(z.string(), z.string()), ...errors(...AUTH_ERRORS) },
        },
      },
      async () => ecard.issuerKeys(),
    );

    app.get(
      "/ecard/status-list",
      {
        config: { access: terminal },
        schema: {
          operationId: "getEcardStatusList",
          tags: ["ecard"],
          summary:
            "The e-card status list changes after a version, signed with SM2 (terminals apply them in order)",
          querystring: z.strictObject({
            since: z.coerce.number().int().min(0).default(0),
            national: nationalStatusCursor
              .optional()
              .describe(
                "where the terminal is in the national list (`33:120,32:45`, empty from the start): a federated province adds the national list, signed by the hub",
              ),
          }),
          response: {
            200: z.object({
              from: z.number(),
              to: z.number(),
              entries: statusEntries,
              national: nationalStatusList.optional(),
              signature: z.string(),
              publicKey: z.string(),
              userId: z.string(),
              algorithm: z.literal("SM2-SM3"),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => ecard.statusList(actorOf(request), request.query.since, request.query.national),
    );

    app.post(
      "/ecard/codes/verify",
      {
        config: { access: terminal },
        schema: {
          operationId: "verifyEcardCode",
          tags: ["ecard"],
          summary: "Verify a code online against the current status; a payment code works once",
          body: z.strictObject({ code: z.string().max(2000), purpose: z.enum(["identity", "payment"]) }),
          response: {
            200: codeCheckSchema,
            ...errors(...AUTH_ERRORS, 404, 422),
          },
        },
      },
      async (request) => ecard.verifyOnline(actorOf(request), request.body),
    );

    await app.register(ecardHolderRoutes(deps));
  };
}
