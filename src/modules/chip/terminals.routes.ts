import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors } from "../../http/schemas.ts";
import { CHIP_PERMISSIONS } from "./chip.permissions.ts";
import type { PsamsService } from "./psams.service.ts";
import { TERMINAL_PERMISSIONS, type TerminalsService } from "./terminals.service.ts";

const psamSerial = z.string().regex(/^PSAM[0-9A-F]{16}$/, "a PSAM serial (PSAM and 16 hex characters)");

const terminalSchema = z.object({
  terminalNo: z.string(),
  areaCode: z.string(),
  name: z.string(),
  institutionId: z.string().nullable().describe("the designated institution it settles for"),
  psamSerial: z.string().nullable().describe("the PSAM installed in it"),
  psamIssuedAt: z.string().nullable(),
  registeredAt: z.string(),
});

/** The terminals of an area (a hospital's, a pharmacy's, a kiosk's) and their PSAMs, for the administrators. */
export function terminalsRoutes(deps: {
  terminals: TerminalsService;
  psams: PsamsService;
}): FastifyPluginAsyncZod {
  const { terminals, psams } = deps;
  const access = { permission: TERMINAL_PERMISSIONS.manage };
  return async (app) => {
    app.get(
      "/terminals",
      {
        config: { access },
        schema: {
          operationId: "listTerminals",
          tags: ["chip"],
          summary: "The terminals of the caller's areas, with the institution each settles for and its PSAM",
          response: { 200: z.array(terminalSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => terminals.list(actorOf(request)),
    );
    app.post(
      "/terminals",
      {
        config: { access },
        schema: {
          operationId: "registerTerminal",
          tags: ["chip"],
          summary: "Register a terminal: 12 digits beginning with its area's region code",
          body: z.strictObject({
            terminalNo: z.string().regex(/^\d{12}$/, "12 digits"),
            areaCode: areaCodeSchema,
            name: z.string().trim().min(1).max(100),
          }),
          response: { 201: z.object({ terminalNo: z.string() }), ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request, reply) => {
        await terminals.register(actorOf(request), request.body);
        return reply.status(201).send({ terminalNo: request.body.terminalNo });
      },
    );
    app.post(
      "/psams",
      {
        config: { access: { permission: CHIP_PERMISSIONS.psams } },
        schema: {
          operationId: "issuePsams",
          tags: ["chip"],
          summary: "The ministry issues PSAMs into its stock (Measures Art. 23)",
          body: z.strictObject({ count: z.number().int().min(1).max(500) }),
          response: { 201: z.object({ serials: z.array(z.string()) }), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await psams.issue(actorOf(request), request.body.count)),
    );
    app.post(
      "/psams/distribution",
      {
        config: {
          access: {
            permission: CHIP_PERMISSIONS.psams,
            area: (r) => (r.body as { areaCode?: string }).areaCode,
          },
        },
        schema: {
          operationId: "distributePsams",
          tags: ["chip"],
          summary: "The ministry hands PSAMs of its stock to an area (all or none)",
          body: z.strictObject({ areaCode: areaCodeSchema, serials: z.array(psamSerial).min(1).max(500) }),
          response: {
            200: z.object({ areaCode: z.string(), serials: z.array(z.string()) }),
            ...errors(...AUTH_ERRORS, 404, 409),
          },
        },
      },
      async (request) => psams.distribute(actorOf(request), request.body),
    );
    app.get(
      "/psams",
      {
        config: { access },
        schema: {
          operationId: "listPsams",
          tags: ["chip"],
          summary: "Who holds which PSAM (the caller's areas)",
          response: {
            200: z.array(
              z.object({
                serial: z.string(),
                state: z.enum(["at_ministry", "at_area", "in_terminal"]),
                areaCode: z.string().nullable(),
                terminalNo: z.string().nullable(),
                updatedAt: z.string(),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => psams.list(actorOf(request)),
    );
    app.get(
      "/psams/:serial/movements",
      {
        config: { access },
        schema: {
          operationId: "getPsamMovements",
          tags: ["chip"],
          summary: "A PSAM's hand-overs, oldest first",
          params: z.object({ serial: psamSerial }),
          response: {
            200: z.array(
              z.object({
                at: z.string(),
                by: z.string(),
                action: z.enum(["issue", "distribute", "install", "withdraw"]),
                areaCode: z.string().nullable(),
                terminalNo: z.string().nullable(),
              }),
            ),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => psams.history(actorOf(request), request.params.serial),
    );
  };
}
