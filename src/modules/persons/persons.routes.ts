import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors, idNumberSchema, uuidSchema } from "../../http/schemas.ts";
import { ETHNICITIES } from "./ethnicity.ts";
import type { PersonsService } from "./persons.service.ts";
import { PERSON_PERMISSIONS } from "./persons.service.ts";

const ethnicitySchema = z
  .string()
  .refine((v) => v in ETHNICITIES, "a GB 3304 ethnicity code (01 Han ... 56 Jino, 97, 98)")
  .describe("GB 3304 code");
const phoneSchema = z.string().regex(/^[0-9+\- ]{5,20}$/, "a phone number");

const personSchema = z.object({
  id: uuidSchema,
  idNumberMasked: z.string().describe("The ID number masked; the full number only through reveal-id-number"),
  name: z.string(),
  sex: z.enum(["M", "F"]),
  birthDate: z.string(),
  birthRegionCode: z.string(),
  ethnicity: z.string(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  areaCode: z.string(),
  photoRef: z.string().nullable(),
  version: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const idParams = z.object({ id: uuidSchema });

/** The person registry. */
export function personsRoutes(deps: { persons: PersonsService }): FastifyPluginAsyncZod {
  const { persons } = deps;
  return async (app) => {
    app.post(
      "/persons",
      {
        config: {
          access: {
            permission: PERSON_PERMISSIONS.register,
            area: (r) => (r.body as { areaCode?: string }).areaCode,
          },
        },
        schema: {
          operationId: "registerPerson",
          tags: ["persons"],
          summary: "Register a person (social security number = citizen ID number)",
          body: z.strictObject({
            idNumber: idNumberSchema,
            name: z.string().min(1).max(60),
            ethnicity: ethnicitySchema,
            areaCode: areaCodeSchema,
            phone: phoneSchema.nullable().optional(),
            address: z.string().max(200).nullable().optional(),
            photoRef: z.string().max(200).nullable().optional(),
          }),
          response: { 201: personSchema, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await persons.register(actorOf(request), request.body)),
    );

    app.get(
      "/persons",
      {
        config: { access: { permission: PERSON_PERMISSIONS.read } },
        schema: {
          operationId: "findPersonByIdNumber",
          tags: ["persons"],
          summary: "Find a person by ID number",
          querystring: z.strictObject({ idNumber: idNumberSchema }),
          response: { 200: personSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => persons.findByIdNumber(actorOf(request), request.query.idNumber),
    );

    app.get(
      "/persons/:id",
      {
        config: { access: { permission: PERSON_PERMISSIONS.read } },
        schema: {
          operationId: "getPerson",
          tags: ["persons"],
          summary: "One person",
          params: idParams,
          response: { 200: personSchema, ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => persons.get(actorOf(request), request.params.id),
    );

    app.patch(
      "/persons/:id",
      {
        config: { access: { permission: PERSON_PERMISSIONS.update } },
        schema: {
          operationId: "updatePerson",
          tags: ["persons"],
          summary: "Update name, contact, ethnicity or photo (version must match what the clerk saw)",
          params: idParams,
          body: z.strictObject({
            version: z.number().int().min(1),
            name: z.string().min(1).max(60).optional(),
            ethnicity: ethnicitySchema.optional(),
            phone: phoneSchema.nullable().optional(),
            address: z.string().max(200).nullable().optional(),
            photoRef: z.string().max(200).nullable().optional(),
          }),
          response: { 200: personSchema, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => persons.update(actorOf(request), request.params.id, request.body),
    );

    const contactSchema = z.object({
      nameMasked: z.string(),
      phone: z.string().nullable(),
      address: z.string().nullable(),
      version: z.number().int(),
    });
    app.get(
      "/holder/contact",
      {
        config: { access: "holder" },
        schema: {
          operationId: "getMyContact",
          tags: ["holder"],
          summary: "The signed-in holder's own phone and address (to keep them up to date)",
          response: { 200: contactSchema, ...errors(401, 403) },
        },
      },
      async (request) => persons.holderContact(actorOf(request)),
    );
    app.put(
      "/holder/contact",
      {
        config: { access: "holder" },
        schema: {
          operationId: "updateMyContact",
          tags: ["holder"],
          summary:
            "The holder updates their own phone and address (hall, kiosk with the card and password; audited); `version` as read",
          body: z.strictObject({
            version: z.number().int().min(1),
            phone: phoneSchema.nullable().optional(),
            address: z.string().trim().min(2).max(200).nullable().optional(),
          }),
          response: { 200: contactSchema, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request) => {
        const actor = actorOf(request);
        await persons.update(actor, actor.personId!, request.body);
        return persons.holderContact(actor);
      },
    );

    app.post(
      "/persons/:id/reveal-id-number",
      {
        config: { access: { permission: PERSON_PERMISSIONS.revealIdNumber } },
        schema: {
          operationId: "revealIdNumber",
          tags: ["persons"],
          summary: "Show the full ID number (audited, with the reason)",
          params: idParams,
          body: z.strictObject({ reason: z.string().min(2).max(200) }),
          response: { 200: z.object({ idNumber: z.string() }), ...errors(...AUTH_ERRORS, 404) },
        },
      },
      async (request) => persons.revealIdNumber(actorOf(request), request.params.id, request.body.reason),
    );
  };
}
