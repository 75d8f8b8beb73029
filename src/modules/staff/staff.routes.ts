import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors, okSchema, uuidSchema } from "../../http/schemas.ts";
import {
  apiKeySchema,
  changePasswordBody,
  createApiKeyBody,
  createdApiKey,
  createStaffBody,
  grantSchema,
  loginBody,
  loginResponse,
  meResponse,
  staffSchema,
} from "./staff.schemas.ts";
import type { StaffService } from "./staff.service.ts";
import { STAFF_PERMISSIONS } from "./staff.service.ts";

/** Login and sessions, staff accounts and API keys. */
export function staffRoutes(deps: { staff: StaffService }): FastifyPluginAsyncZod {
  const { staff } = deps;
  const manage = { permission: STAFF_PERMISSIONS.manage };
  const self = { permission: STAFF_PERMISSIONS.self };
  return async (app) => {
    app.post(
      "/auth/login",
      {
        config: { access: "public" },
        schema: {
          operationId: "signIn",
          tags: ["auth"],
          summary: "Staff login with user name and password",
          security: [],
          body: loginBody,
          response: { 200: loginResponse, ...errors(400, 401, 403, 423) },
        },
      },
      async (request) => staff.login(request.body),
    );

    app.post(
      "/auth/logout",
      {
        config: { access: self },
        schema: {
          operationId: "signOut",
          tags: ["auth"],
          summary: "End this session",
          response: { 200: okSchema, ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => {
        const token = request.headers.authorization!.slice(7).trim();
        await staff.logout(actorOf(request), token);
        return { ok: true as const };
      },
    );

    app.get(
      "/auth/me",
      {
        config: { access: self },
        schema: {
          operationId: "whoAmI",
          tags: ["auth"],
          summary: "Who is signed in",
          response: { 200: meResponse, ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => staff.me(actorOf(request)),
    );

    app.post(
      "/auth/password",
      {
        config: { access: { permission: STAFF_PERMISSIONS.ownPassword } },
        schema: {
          operationId: "changeOwnPassword",
          tags: ["auth"],
          summary: "Change one's own password",
          body: changePasswordBody,
          response: { 200: okSchema, ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => {
        await staff.changeOwnPassword(actorOf(request), request.body);
        return { ok: true as const };
      },
    );

    app.get(
      "/staff",
      {
        config: { access: manage },
        schema: {
          operationId: "listStaff",
          tags: ["staff"],
          summary: "Staff in the caller's areas",
          response: { 200: z.array(staffSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => staff.list(actorOf(request)),
    );

    app.post(
      "/staff",
      {
        config: { access: manage },
        schema: {
          operationId: "createStaffAccount",
          tags: ["staff"],
          summary: "Create a staff account with role grants (within the caller's own scope)",
          body: createStaffBody,
          response: { 201: staffSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await staff.createAccount(actorOf(request), request.body)),
    );

    app.post(
      "/staff/:id/disable",
      {
        config: { access: manage },
        schema: {
          operationId: "disableStaffAccount",
          tags: ["staff"],
          summary: "Disable a staff account and end its sessions",
          params: z.object({ id: uuidSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await staff.disable(actorOf(request), request.params.id);
        return { ok: true as const };
      },
    );

    app.post(
      "/staff/:id/password-reset",
      {
        config: { access: manage },
        schema: {
          operationId: "resetStaffPassword",
          tags: ["staff"],
          summary:
            "Set a new password for a member of staff who forgot theirs: the lockout is lifted and their sessions end",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ password: z.string().min(1).max(256) }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await staff.resetPassword(actorOf(request), request.params.id, request.body.password);
        return { ok: true as const };
      },
    );
    app.post(
      "/staff/:id/unlock",
      {
        config: { access: manage },
        schema: {
          operationId: "unlockStaffAccount",
          tags: ["staff"],
          summary: "Lift the lockout of a staff account after wrong passwords",
          params: z.object({ id: uuidSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => {
        await staff.unlock(actorOf(request), request.params.id);
        return { ok: true as const };
      },
    );
    app.put(
      "/staff/:id/grants",
      {
        config: { access: manage },
        schema: {
          operationId: "setStaffGrants",
          tags: ["staff"],
          summary:
            "Replace a staff account's role grants (the caller covers the old and the new ones); its sessions end",
          params: z.object({ id: uuidSchema }),
          body: z.strictObject({ grants: z.array(grantSchema.strict()).min(1).max(10) }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await staff.setGrants(actorOf(request), request.params.id, request.body.grants);
        return { ok: true as const };
      },
    );

    app.get(
      "/api-keys",
      {
        config: { access: manage },
        schema: {
          operationId: "listApiKeys",
          tags: ["api keys"],
          summary: "API keys in the caller's areas",
          response: { 200: z.array(apiKeySchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => staff.listApiKeys(actorOf(request)),
    );

    app.post(
      "/api-keys",
      {
        config: { access: { ...manage, area: (r) => (r.body as { areaCode?: string }).areaCode } },
        schema: {
          operationId: "createApiKey",
          tags: ["api keys"],
          summary: "Create an API key for an institution or terminal (the token is shown once)",
          body: createApiKeyBody,
          response: { 201: createdApiKey, ...errors(...AUTH_ERRORS, 404, 422) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await staff.createApiKey(actorOf(request), request.body)),
    );

    app.post(
      "/api-keys/:id/revoke",
      {
        config: { access: manage },
        schema: {
          operationId: "revokeApiKey",
          tags: ["api keys"],
          summary: "Revoke an API key",
          params: z.object({ id: uuidSchema }),
          response: { 200: okSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => {
        await staff.revokeApiKey(actorOf(request), request.params.id);
        return { ok: true as const };
      },
    );
  };
}
