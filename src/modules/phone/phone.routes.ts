import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors } from "../../http/schemas.ts";
import type { PhoneService } from "./phone.service.ts";
import { PHONE_PERMISSIONS } from "./phone.service.ts";

const callId = z
  .string()
  .regex(/^[A-Za-z0-9._:-]{1,64}$/, "the switch's call identifier: 1 to 64 letters, digits, . _ : -");
const nextAction = z.object({
  callId: z.string(),
  action: z.enum(["collect", "transfer", "hangup"]),
  lang: z.enum(["zh", "en"]),
  prompts: z.array(z.object({ key: z.string(), text: z.string() })),
  collect: z
    .object({
      maxDigits: z.number(),
      timeoutMs: z.number(),
      terminator: z.literal("#").optional(),
      bargeIn: z.boolean(),
    })
    .optional(),
  queue: z.string().optional(),
});

/**
 * The HTTP "next action" interface of the phone lines (FreeSWITCH, commercial contact centres): the
 * switch says a call arrived or what the caller did, sscard answers what to play and collect next.
 * The switch's key is a phone channel principal.
 */
export function phoneRoutes(deps: { phone: PhoneService }): FastifyPluginAsyncZod {
  const { phone } = deps;
  const access = { permission: PHONE_PERMISSIONS.ivr };
  return async (app) => {
    app.post(
      "/ivr/calls",
      {
        config: { access },
        schema: {
          operationId: "startIvrCall",
          tags: ["phone"],
          summary: "A call arrives on the 12333 or 96102 line: the welcome and the menu to play and collect",
          body: z.strictObject({
            callId,
            line: z.enum(["12333", "96102"]),
            caller: z.string().regex(/^\+?\d{3,20}$/, "the caller's number: 3 to 20 digits"),
          }),
          response: { 200: nextAction, ...errors(...AUTH_ERRORS, 409) },
        },
      },
      async (request) => phone.start(actorOf(request), request.body),
    );
    app.post(
      "/ivr/calls/:callId/events",
      {
        config: { access },
        schema: {
          operationId: "ivrCallEvent",
          tags: ["phone"],
          summary:
            "What the caller did (digits keyed, nothing keyed in time, hung up): the next prompts and what to collect, a transfer to the agents, or the end",
          params: z.object({ callId }),
          body: z.strictObject({
            event: z.enum(["digits", "timeout", "hangup"]),
            digits: z
              .string()
              .regex(/^[0-9*#]{1,24}$/, "1 to 24 of 0-9, * and #")
              .optional(),
          }),
          response: { 200: nextAction, ...errors(...AUTH_ERRORS, 404, 409) },
        },
      },
      async (request) => phone.event(actorOf(request), request.params.callId, request.body),
    );
    app.get(
      "/ivr/calls/:callId/transcript",
      {
        config: { access },
        schema: {
          operationId: "ivrCallTranscript",
          tags: ["phone"],
          summary:
            "A call's transcript (prompt keys, the caller's digits masked), for the agent who takes it over",
          params: z.object({ callId }),
          response: {
            200: z.object({
              callId: z.string(),
              line: z.string(),
              caller: z.string(),
              startedAt: z.string(),
              endedAt: z.string().nullable(),
              transcript: z.array(z.object({ by: z.enum(["ivr", "caller"]), text: z.string() })),
            }),
            ...errors(...AUTH_ERRORS, 404),
          },
        },
      },
      async (request) => phone.transcript(actorOf(request), request.params.callId),
    );
  };
}
