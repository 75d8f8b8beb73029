import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors, idNumberSchema, pinSchema, uuidSchema } from "../../http/schemas.ts";
import { FAMILY_RELATIONSHIPS } from "./ecard.rules.ts";
import { credentialSchema, ecardIdSchema, jpegBase64 } from "./ecard.schemas.ts";
import type { EcardService } from "./ecard.service.ts";

/**
 * What a device does with its e-card: a fresh credential, the e-card password (set, change, reset),
 * the family service. Two doors, one definition: a channel's app (`/ecard/…`, the channel's key) and
 * the online hall (`/holder/ecard/…`, the signed-in holder, whose browser is the hall channel's
 * device and who acts on their own e-card only).
 */
export function ecardDeviceRoutes(ecard: EcardService, door: "channel" | "holder"): FastifyPluginAsyncZod {
  const prefix = door === "channel" ? "/ecard" : "/holder/ecard";
  const suffix = door === "channel" ? "" : "InHall";
  const tags = [door === "channel" ? "ecard" : "holder"];
  const pin = pinSchema;
  const ecardId = ecardIdSchema;
  const passwordErrors = errors(...AUTH_ERRORS, 404, 409, 422, 423);
  return async (app) => {
    app.post(
      `${prefix}/credentials`,
      {
        config: { access: door },
        schema: {
          operationId: `refreshEcardCredential${suffix}`,
          tags,
          summary:
            "A new device credential (daily, or after a status change); refused while the e-card is unusable",
          body: z.strictObject({ ecardId, devicePublicKey: z.string().max(140) }),
          response: {
            200: z.object({ credential: credentialSchema, scope: z.string() }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => ecard.refreshCredential(actorOf(request), request.body),
    );

    app.post(
      `${prefix}/password`,
      {
        config: { access: door },
        schema: {
          operationId: `setEcardPassword${suffix}`,
          tags,
          summary:
            "Set the e-card password once after sign-up (6 digits, not repeated, not a run, not from the ID number)",
          body: z.strictObject({ ecardId, pin }),
          response: { 200: z.object({ ok: z.literal(true) }), ...passwordErrors },
        },
      },
      async (request) => ecard.password(actorOf(request), { op: "set", ...request.body }),
    );
    app.post(
      `${prefix}/password/change`,
      {
        config: { access: door },
        schema: {
          operationId: `changeEcardPassword${suffix}`,
          tags,
          summary: "Change the e-card password with the current one (effective in every channel at once)",
          body: z.strictObject({ ecardId, current: pin, next: pin }),
          response: { 200: z.object({ ok: z.literal(true) }), ...passwordErrors },
        },
      },
      async (request) => ecard.password(actorOf(request), { op: "change", ...request.body }),
    );
    app.post(
      `${prefix}/password/reset`,
      {
        config: { access: door },
        schema: {
          operationId: `resetEcardPassword${suffix}`,
          tags,
          summary: "Reset a forgotten or locked e-card password after a new face verification",
          body: z.strictObject({ ecardId, livePhotoBase64: jpegBase64, next: pin }),
          response: { 200: z.object({ ok: z.literal(true) }), ...passwordErrors },
        },
        bodyLimit: 6 * 1024 * 1024,
      },
      async (request) =>
        ecard.password(actorOf(request), {
          op: "reset",
          ecardId: request.body.ecardId,
          livePhoto: Buffer.from(request.body.livePhotoBase64, "base64"),
          next: request.body.next,
        }),
    );
    app.post(
      `${prefix}/family`,
      {
        config: { access: door },
        schema: {
          operationId: `addFamilyMember${suffix}`,
          tags,
          summary:
            "Family service: add a relative without a smartphone (adults: their live photo; under 16: a guardian's photo), up to the area's slots; returns a credential for the relative's e-card",
          body: z.strictObject({
            ecardId,
            relative: z.strictObject({ idNumber: idNumberSchema, name: z.string().min(1).max(64) }),
            relationship: z.enum(FAMILY_RELATIONSHIPS),
            photoBase64: jpegBase64,
            photoConsentTextVersion: z
              .string()
              .max(32)
              .optional()
              .describe(
                "for a child: the biometric consent text version the guardian agreed to (the photo is kept)",
              ),
            devicePublicKey: z.string().max(140),
          }),
          response: {
            201: z.object({
              familyId: uuidSchema,
              relativeEcardId: z.string(),
              credential: credentialSchema,
            }),
            ...errors(...AUTH_ERRORS, 404, 409, 422),
          },
        },
        bodyLimit: 6 * 1024 * 1024,
      },
      async (request, reply) =>
        reply.status(201).send(
          await ecard.addRelative(actorOf(request), {
            ...request.body,
            photo: Buffer.from(request.body.photoBase64, "base64"),
          }),
        ),
    );

    app.post(
      `${prefix}/family/:id/remove`,
      {
        config: { access: door },
        schema: {
          operationId: `removeFamilyMember${suffix}`,
          tags,
          summary: "Remove a relative from the family service (at any time)",
          params: z.object({ id: uuidSchema }),
          response: { 200: z.object({ removed: z.literal(true) }), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => ecard.removeRelative(actorOf(request), request.params.id),
    );
  };
}
