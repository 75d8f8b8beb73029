import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, areaCodeSchema, errors } from "../../http/schemas.ts";
import { TERMINAL_PERMISSIONS, type TerminalsService } from "./terminals.service.ts";

const terminalSchema = z.object({
  terminalNo: z.string(),
  areaCode: z.string(),
  name: z.string(),
  institutionId: z.string().nullable().describe("the designated institution it settles for"),
  psamSerial: z.string().nullable().describe("the PSAM issued to it (issued with `sscard psam issue`)"),
  psamIssuedAt: z.string().nullable(),
  registeredAt: z.string(),
});

/** The terminals of an area (a hospital's, a pharmacy's, a kiosk's) and their PSAMs, for the administrators. */
export function terminalsRoutes(deps: { terminals: TerminalsService }): FastifyPluginAsyncZod {
  const { terminals } = deps;
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
  };
}
