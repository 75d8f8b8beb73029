import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  cardNumberSchema,
  errors,
  idNumberSchema,
  ONE_PASSWORD,
  passwordShape,
} from "../../http/schemas.ts";
import { sessionSchema } from "../holder/holder.routes.ts";
import type { KioskService } from "./kiosk.service.ts";
import { KIOSK_PERMISSIONS } from "./kiosk.service.ts";

/** The self-service terminals' own routes (the kiosk's API key is the principal). */
export function kioskRoutes(deps: { kiosk: KioskService }): FastifyPluginAsyncZod {
  const { kiosk } = deps;
  return async (app) => {
    app.post(
      "/kiosk/sessions",
      {
        config: { access: { permission: KIOSK_PERMISSIONS.session } },
        schema: {
          operationId: "openKioskSession",
          tags: ["kiosk"],
          summary:
            "A holder's session at the kiosk: by the card and its password as the kiosk's PIN block (all services, 2 idle minutes) or by the resident ID card's reader record (reads and prints only); the holder routes then take its token",
          body: z.strictObject({
            card: z
              .strictObject({ cardNumber: cardNumberSchema, ...passwordShape })
              .refine(...ONE_PASSWORD)
              .optional(),
            idCardRecord: z
              .string()
              .regex(/^[A-Za-z0-9+/]{342}==$/, "the ID card reader's 256-byte record, base64")
              .optional(),
          }),
          response: { 200: sessionSchema, ...errors(...AUTH_ERRORS, 404, 409, 422, 423, 429) },
        },
      },
      async (request) => kiosk.openSession(actorOf(request), { ...request.body, source: request.ip }),
    );
    app.post(
      "/kiosk/pre-loss",
      {
        config: { access: { permission: KIOSK_PERMISSIONS.preLoss } },
        schema: {
          operationId: "kioskPreLoss",
          tags: ["kiosk"],
          summary:
            "Pre-loss at a self-service touch screen without a session: the holder's ID number and card password (the kiosk's PIN block, bound to the ID number); the card stops at once",
          body: z.strictObject({ idNumber: idNumberSchema, ...passwordShape }).refine(...ONE_PASSWORD),
          response: {
            200: z.object({
              cardNumberMasked: z.string(),
              nameMasked: z.string(),
              state: z.string(),
              reportedAt: z.string(),
            }),
            ...errors(...AUTH_ERRORS, 409, 423, 429),
          },
        },
      },
      async (request) => kiosk.preLoss(actorOf(request), { ...request.body, source: request.ip }),
    );
  };
}
