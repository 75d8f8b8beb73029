import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import {
  AUTH_ERRORS,
  cardNumberParams,
  errors,
  ONE_PASSWORD,
  passwordShape,
  pinBlockSchema,
  pinSchema,
} from "../../http/schemas.ts";
import type { CredentialsService } from "./credentials.service.ts";
import { PASSWORD_PERMISSIONS } from "./credentials.service.ts";

const pin = pinSchema;
const pinBlock = pinBlockSchema;
const passwordField = z.strictObject(passwordShape).refine(...ONE_PASSWORD);
const identity = {
  holderIdNumber: z.string().min(1).max(32).describe("the ID number on the document the holder presents"),
  agent: z.strictObject({ idNumber: z.string().min(1).max(32), name: z.string().min(1).max(60) }).optional(),
};

/** The social security password: verification for every channel, change, unlock and reset. */
export function credentialsRoutes(deps: { credentials: CredentialsService }): FastifyPluginAsyncZod {
  const { credentials } = deps;
  return async (app) => {
    app.post(
      "/cards/:cardNumber/password/verify",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.verify } },
        schema: {
          operationId: "verifyPassword",
          tags: ["passwords"],
          summary: "Verify the social security password (every channel; every attempt is recorded)",
          params: cardNumberParams,
          body: z.strictObject({
            pin: pin.optional(),
            pinBlock: pinBlock.optional(),
            purpose: z
              .enum(["query", "transaction"])
              .describe(
                "a transaction needs an active card and a changed initial password where the policy says so",
              ),
          }),
          response: {
            200: z.object({
              verified: z.literal(true),
              initialPassword: z.boolean(),
              attemptsLeft: z.number().int(),
            }),
            ...errors(...AUTH_ERRORS, 404, 409, 423, 429),
          },
        },
      },
      async (request) =>
        credentials.verify(actorOf(request), request.params.cardNumber, request.body, request.ip),
    );

    app.post(
      "/cards/:cardNumber/password/change",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.change } },
        schema: {
          operationId: "changePassword",
          tags: ["passwords"],
          summary:
            "Change the password with the current one (outlets, pharmacies, kiosks, online); activates an archived card",
          params: cardNumberParams,
          body: z.strictObject({ current: passwordField, next: passwordField }),
          response: {
            200: z.object({ changed: z.literal(true) }),
            ...errors(...AUTH_ERRORS, 404, 409, 423, 429),
          },
        },
      },
      async (request) =>
        credentials.change(actorOf(request), request.params.cardNumber, request.body, request.ip),
    );

    app.post(
      "/cards/:cardNumber/password/unlock",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.unlockOrReset } },
        schema: {
          operationId: "unlockPassword",
          tags: ["passwords"],
          summary: "Unlock a locked password at a service outlet after checking the holder's ID",
          params: cardNumberParams,
          body: z.strictObject(identity),
          response: { 200: z.object({ unlocked: z.literal(true) }), ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => credentials.unlock(actorOf(request), request.params.cardNumber, request.body),
    );

    app.post(
      "/cards/:cardNumber/password/reset",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.unlockOrReset } },
        schema: {
          operationId: "resetPassword",
          tags: ["passwords"],
          summary:
            "Reset a forgotten or locked password at a service outlet: ID check, then the holder sets a new one",
          params: cardNumberParams,
          body: z.strictObject({ ...identity, next: passwordField }),
          response: { 200: z.object({ reset: z.literal(true) }), ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => credentials.reset(actorOf(request), request.params.cardNumber, request.body),
    );

    app.get(
      "/cards/:cardNumber/password",
      {
        config: { access: { permission: PASSWORD_PERMISSIONS.read } },
        schema: {
          operationId: "getPasswordStatus",
          tags: ["passwords"],
          summary:
            "The password's state and recent attempts (never the password); the bank password is the bank's",
          params: cardNumberParams,
          response: {
            200: z.object({
              initialPassword: z.boolean(),
              queryOnlyUntilChanged: z.boolean(),
              locked: z.boolean(),
              lockedAt: z.string().nullable(),
              lockout: z.object({ mode: z.enum(["consecutive", "daily"]), threshold: z.number() }),
              attemptsLeft: z.number().int(),
              bankPassword: z.string(),
              recentAttempts: z.array(
                z.object({
                  at: z.string(),
                  channel: z.string(),
                  actorType: z.string(),
                  actorId: z.string(),
                  purpose: z.string(),
                  result: z.string(),
                }),
              ),
            }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => credentials.status(actorOf(request), request.params.cardNumber),
    );
  };
}
