import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors, plainText, uuidSchema } from "../../http/schemas.ts";
import { CONDITION_CODES, MATERIAL_KINDS } from "./applications.rules.ts";
import type { ApplicationsService } from "./applications.service.ts";
import { AREA_PERMISSIONS } from "./areas.permissions.ts";

const state = z.enum(["draft", "at_province", "at_ministry", "returned", "approved"]);
const condition = z.strictObject({ met: z.boolean(), evidence: plainText(0, 2000) });
const applicationSchema = z.object({
  applicationId: z.string(),
  areaCode: z.string(),
  state,
  issuerId: z.string().nullable().describe("allocated by the ministry's approval"),
  conditions: z.record(z.string(), condition),
  materials: z.array(
    z.object({
      kind: z.string(),
      fileName: z.string(),
      contentType: z.string(),
      sizeBytes: z.number().int(),
      sha256: z.string(),
      uploadedAt: z.string(),
    }),
  ),
  missing: z.object({ materials: z.array(z.string()), conditions: z.array(z.string()) }),
  steps: z.array(
    z.object({
      at: z.string(),
      by: z.string(),
      action: z.string(),
      from: z.string(),
      to: z.string(),
      reason: z.string().nullable(),
    }),
  ),
  filedBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
/** What a change answers: where the application stands (GET it for the rest). */
const standing = applicationSchema.pick({
  applicationId: true,
  areaCode: true,
  state: true,
  issuerId: true,
  missing: true,
});
const idParams = z.object({ applicationId: uuidSchema });
const reason = plainText(2, 1000);
const read = { permission: AREA_PERMISSIONS.applications };
const apply = { permission: AREA_PERMISSIONS.apply };

/** Applications to issue cards (Measures Art. 6, 7): filed by the area, reviewed by the province, decided by the ministry. */
export function applicationsRoutes(deps: { applications: ApplicationsService }): FastifyPluginAsyncZod {
  const { applications } = deps;
  return async (app) => {
    app.post(
      "/area-applications",
      {
        config: { access: { ...apply, area: (r) => (r.body as { areaCode?: string }).areaCode } },
        schema: {
          operationId: "openAreaApplication",
          tags: ["areas"],
          summary: "An area not yet issuing opens its application (one per area)",
          body: z.strictObject({ areaCode: areaCodeSchema }),
          response: { 201: applicationSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await applications.open(actorOf(request), request.body.areaCode)),
    );
    app.get(
      "/area-applications",
      {
        config: { access: read },
        schema: {
          operationId: "listAreaApplications",
          tags: ["areas"],
          summary: "The applications the caller may see",
          response: { 200: z.array(applicationSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => applications.list(actorOf(request)),
    );
    app.get(
      "/area-applications/:applicationId",
      {
        config: { access: read },
        schema: {
          operationId: "getAreaApplication",
          tags: ["areas"],
          summary: "An application: state, materials, conditions, what is missing, steps",
          params: idParams,
          response: { 200: applicationSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => applications.get(actorOf(request), request.params.applicationId),
    );
    app.put(
      "/area-applications/:applicationId/conditions",
      {
        config: { access: apply },
        schema: {
          operationId: "setAreaApplicationConditions",
          tags: ["areas"],
          summary: "The five conditions of Measures Art. 6, each met or not, with evidence",
          params: idParams,
          body: z.strictObject({ conditions: z.partialRecord(z.enum(CONDITION_CODES), condition) }),
          response: { 200: standing, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        applications.setConditions(actorOf(request), request.params.applicationId, request.body.conditions),
    );
    app.put(
      "/area-applications/:applicationId/materials/:kind",
      {
        config: { access: apply },
        bodyLimit: 15 * 1024 * 1024,
        schema: {
          operationId: "putAreaApplicationMaterial",
          tags: ["areas"],
          summary:
            "One of the six materials of Measures Art. 7 (types per kind in docs/areas.md), at most 10 MB, checked",
          params: z.object({ applicationId: uuidSchema, kind: z.enum(MATERIAL_KINDS) }),
          body: z.strictObject({
            fileName: plainText(1, 200),
            contentType: z.string().max(64),
            contentBase64: z.base64().max(14 * 1024 * 1024),
          }),
          response: { 200: standing, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        applications.putMaterial(
          actorOf(request),
          request.params.applicationId,
          request.params.kind,
          request.body,
        ),
    );
    app.get(
      "/area-applications/:applicationId/materials/:kind",
      {
        config: { access: read },
        schema: {
          operationId: "getAreaApplicationMaterial",
          tags: ["areas"],
          summary: "A material's file as uploaded, for the reviewers and the applicant",
          params: z.object({ applicationId: uuidSchema, kind: z.enum(MATERIAL_KINDS) }),
          response: { 200: z.any().describe("the file"), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) => {
        const m = await applications.material(
          actorOf(request),
          request.params.applicationId,
          request.params.kind,
        );
        // An uploaded file: downloaded, never rendered or sniffed as something else by a browser.
        return reply
          .type(m.contentType)
          .header("x-content-type-options", "nosniff")
          .header("content-security-policy", "sandbox")
          .header("content-disposition", `attachment; filename*=UTF-8''${encodeURIComponent(m.fileName)}`)
          .send(m.content);
      },
    );
    app.post(
      "/area-applications/:applicationId/file",
      {
        config: { access: apply },
        schema: {
          operationId: "fileAreaApplication",
          tags: ["areas"],
          summary: "The applicant files it: a city's to its province, a province's to the ministry",
          params: idParams,
          response: { 200: standing, ...errors(...AUTH_ERRORS, 404, 409, 422) },
        },
      },
      async (request) => applications.file(actorOf(request), request.params.applicationId),
    );
    app.post(
      "/area-applications/:applicationId/review",
      {
        config: { access: { permission: AREA_PERMISSIONS.review } },
        schema: {
          operationId: "reviewAreaApplication",
          tags: ["areas"],
          summary:
            "The province forwards a city's application to the ministry, or returns it with its reasons",
          params: idParams,
          body: z.discriminatedUnion("decision", [
            z.strictObject({ decision: z.literal("forward") }),
            z.strictObject({ decision: z.literal("return"), reason }),
          ]),
          response: { 200: standing, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        request.body.decision === "forward"
          ? applications.forward(actorOf(request), request.params.applicationId)
          : applications.returnIt(actorOf(request), request.params.applicationId, request.body.reason),
    );
    app.post(
      "/area-applications/:applicationId/decision",
      {
        config: { access: { permission: AREA_PERMISSIONS.approve } },
        schema: {
          operationId: "decideAreaApplication",
          tags: ["areas"],
          summary: "The ministry approves it (allocating the issuer ID) or returns it with its reasons",
          params: idParams,
          body: z.discriminatedUnion("decision", [
            z.strictObject({ decision: z.literal("approve") }),
            z.strictObject({ decision: z.literal("return"), reason }),
          ]),
          response: { 200: standing, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) =>
        request.body.decision === "approve"
          ? applications.approve(actorOf(request), request.params.applicationId)
          : applications.returnIt(actorOf(request), request.params.applicationId, request.body.reason),
    );
  };
}
