import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, dateSchema, errors } from "../../http/schemas.ts";
import { policySchema } from "./areas.rules.ts";
import type { AreasService } from "./areas.service.ts";
import { AREA_PERMISSIONS } from "./areas.service.ts";

const areaSchema = z.object({
  code: z.string(),
  name: z.string(),
  level: z.enum(["national", "province", "city", "county"]),
  issuerId: z.string().nullable(),
  parentCode: z.string().nullable(),
  createdAt: z.string(),
});

const policyVersionSchema = z.object({
  areaCode: z.string(),
  version: z.number().int(),
  effectiveFrom: z.string(),
  policy: policySchema,
});

const outletSchema = z.object({
  id: z.string(),
  areaCode: z.string(),
  name: z.string(),
  kind: z.string(),
  address: z.string().nullable(),
  bankCode: z.string().nullable(),
});

const toArea = (r: {
  code: string;
  name: string;
  level: "national" | "province" | "city" | "county";
  issuer_id: string | null;
  parent_code: string | null;
  created_at: string;
}) => ({
  code: r.code,
  name: r.name,
  level: r.level,
  issuerId: r.issuer_id,
  parentCode: r.parent_code,
  createdAt: r.created_at,
});

const codeParams = z.object({ code: areaCodeSchema });
const areaOfParams = (r: { params: unknown }) => (r.params as { code: string }).code;

/** Card-issuing areas, their versioned policies, and outlets. */
export function areasRoutes(deps: { areas: AreasService }): FastifyPluginAsyncZod {
  const { areas } = deps;
  return async (app) => {
    app.get(
      "/areas",
      {
        config: { access: { permission: AREA_PERMISSIONS.read } },
        schema: {
          operationId: "listAreas",
          tags: ["areas"],
          summary: "All card-issuing areas",
          response: { 200: z.array(areaSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async () => (await areas.list()).map(toArea),
    );

    app.post(
      "/areas",
      {
        config: { access: { permission: AREA_PERMISSIONS.create } },
        schema: {
          operationId: "registerArea",
          tags: ["areas"],
          summary:
            "Register an area under the caller's: a province (ministry), a city (province), a county with its outlets (city). An issuer identification number only from the ministry; without one a city or province applies for it (POST /area-applications)",
          body: z.strictObject({
            code: areaCodeSchema,
            name: z.string().min(1).max(64).optional(),
            issuerId: z
              .string()
              .regex(/^\d{6,20}$/, "the issuer identification number allocated by the ministry")
              .optional(),
          }),
          response: { 201: areaSchema, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(toArea(await areas.create(actorOf(request), request.body))),
    );

    app.get(
      "/areas/:code",
      {
        config: { access: { permission: AREA_PERMISSIONS.read, area: areaOfParams } },
        schema: {
          operationId: "getArea",
          tags: ["areas"],
          summary: "One area",
          params: codeParams,
          response: { 200: areaSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => toArea(await areas.get(actorOf(request), request.params.code)),
    );

    app.get(
      "/areas/:code/policy",
      {
        config: { access: { permission: AREA_PERMISSIONS.read, area: areaOfParams } },
        schema: {
          operationId: "getPolicyInForce",
          tags: ["areas"],
          summary:
            "The policy in force on a date (today when not given), inherited from the parent area when it has none",
          params: codeParams,
          querystring: z.strictObject({ date: dateSchema.optional() }),
          response: {
            200: policyVersionSchema.extend({ date: z.string(), inherited: z.boolean() }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => areas.policyAt(actorOf(request), request.params.code, request.query.date),
    );

    app.get(
      "/areas/:code/policies",
      {
        config: { access: { permission: AREA_PERMISSIONS.read, area: areaOfParams } },
        schema: {
          operationId: "listPolicyVersions",
          tags: ["areas"],
          summary: "The area's own policy versions and which is in force today",
          params: codeParams,
          response: {
            200: z.object({
              versions: z.array(policyVersionSchema),
              inForceVersion: z.number().nullable(),
              today: z.string(),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => areas.policyVersions(actorOf(request), request.params.code),
    );

    app.post(
      "/areas/:code/policies",
      {
        config: { access: { permission: AREA_PERMISSIONS.writePolicy, area: areaOfParams } },
        schema: {
          operationId: "publishPolicyVersion",
          tags: ["areas"],
          summary: "Add a complete policy version that takes effect on a date (today or later)",
          params: codeParams,
          body: z.strictObject({
            effectiveFrom: dateSchema,
            policy: z.unknown(),
            note: z.string().max(500).optional(),
          }),
          response: { 201: policyVersionSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) =>
        reply
          .status(201)
          .send(await areas.addPolicyVersion(actorOf(request), request.params.code, request.body)),
    );

    app.get(
      "/areas/:code/outlets",
      {
        config: { access: { permission: AREA_PERMISSIONS.read, area: areaOfParams } },
        schema: {
          operationId: "listOutlets",
          tags: ["areas"],
          summary: "Service outlets of an area",
          params: codeParams,
          response: { 200: z.array(outletSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => areas.outlets(actorOf(request), request.params.code),
    );

    app.post(
      "/areas/:code/outlets",
      {
        config: { access: { permission: AREA_PERMISSIONS.createOutlet, area: areaOfParams } },
        schema: {
          operationId: "registerOutlet",
          tags: ["areas"],
          summary: "Add a service outlet, bank branch, hospital or pharmacy to an area",
          params: codeParams,
          body: z.strictObject({
            name: z.string().min(1).max(100),
            kind: z.enum(["service_outlet", "bank_branch", "hospital", "pharmacy"]),
            address: z.string().max(200).optional(),
            bankCode: z
              .string()
              .regex(/^[A-Z0-9]{2,16}$/)
              .optional()
              .describe("for a bank branch: the partner bank's code"),
          }),
          response: { 201: outletSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await areas.createOutlet(actorOf(request), request.params.code, request.body)),
    );
  };
}
