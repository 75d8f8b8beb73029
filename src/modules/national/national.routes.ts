import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Actor, NATIONAL, type Role } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { SETTLING } from "../../shared/permissions.ts";
import { HUB_HEADERS } from "./hub.routes.ts";
import { provinceName, type RemoteSettleRequest } from "./national.rules.ts";
import { keepRawJsonBody, rawBodyOf, remoteCheckBody, remoteSettleBody } from "./national.schemas.ts";
import type { NationalService } from "./national.service.ts";

/** The online check as the enrolment module answers it (the part another province may see). */
type CheckAnswer = { result: string; insured: boolean } & Record<string, unknown>;

/**
 * What the hub asks of a province (`/national/v1`): the online check of one of this province's cards,
 * made at a hospital or pharmacy of another province. The hub signs with this province's hub key; the
 * check runs here as that institution's system would (channel `terminal`, its settling role), is
 * logged here with the asking province, and answers without the holder's details.
 */
export function nationalRoutes(deps: {
  national: NationalService;
  /** The home province's side of a cross-province settlement (medical.remote.ts). */
  settle: (
    actor: Actor,
    from: { province: string; provinceName: string },
    input: RemoteSettleRequest,
  ) => Promise<unknown>;
  check: (
    actor: Actor,
    input: { cardNumber: string; cardIdCode?: string; idNumber?: string; name?: string },
  ) => Promise<CheckAnswer>;
}): FastifyPluginAsyncZod {
  return async (app) => {
    keepRawJsonBody(app);
    const asking = new WeakMap<FastifyRequest, string>();
    /**
     * The hub acting for a province's hospital or pharmacy: a peer system (type `channel`, on the
     * terminal channel with a settling role). The holder's password comes as the treating province's
     * caller gave it, inside the hub's signed request: PIN blocks are not translated between provinces'
     * keys yet, so a terminal's enciphered PIN cannot cross (docs/national.md).
     */
    const hubActor = (from: string, role: string): Actor => ({
      type: "channel",
      id: `national-hub:${from}`,
      name: `${provinceName(from)}（全国平台转发）`,
      channel: "terminal",
      grants: [
        {
          role: (SETTLING as readonly string[]).includes(role) ? (role as Role) : "medical_operator",
          areaCode: NATIONAL,
          outletId: null,
        },
      ],
    });
    app.addHook("preValidation", async (request) => {
      const h = request.headers;
      const province = String(h[HUB_HEADERS.province] ?? "");
      const problem = deps.national.hubProblem({
        province,
        at: String(h[HUB_HEADERS.at] ?? ""),
        method: request.method,
        path: request.url,
        body: rawBodyOf(request),
        signature: String(h[HUB_HEADERS.signature] ?? ""),
      });
      if (problem) throw new DomainError("HUB_SIGNATURE_INVALID", { reason: problem });
      asking.set(request, province);
    });

    app.post(
      "/national/v1/online-checks",
      {
        config: { access: "public" },
        schema: {
          operationId: "nationalAnswerCheck",
          tags: ["national hub"],
          summary:
            "The hub asks this province for the online check of one of its cards, made in another province (signed by the hub)",
          security: [],
          body: remoteCheckBody,
          response: {
            200: z.object({
              result: z.string(),
              insured: z.boolean(),
              medicalFunction: z.literal("active").optional(),
              medicalInsuranceNumber: z.string().optional(),
              coordinationArea: z.string().optional(),
              schemes: z
                .array(z.object({ scheme: z.string(), status: z.string(), areaCode: z.string() }))
                .optional(),
            }),
          },
        },
      },
      async (request) => {
        const { role, ...input } = request.body;
        const answer = await deps.check(hubActor(asking.get(request)!, role), input);
        // Only the check's outcome crosses the border: no holder details, no diagnostic wording (the
        // asking province words the result in its caller's language).
        return {
          result: answer.result,
          insured: answer.insured,
          ...(answer.insured
            ? {
                medicalFunction: answer.medicalFunction as "active",
                medicalInsuranceNumber: answer.medicalInsuranceNumber as string,
                coordinationArea: answer.coordinationArea as string,
                schemes: answer.schemes as { scheme: string; status: string; areaCode: string }[],
              }
            : {}),
        };
      },
    );

    app.post(
      "/national/v1/settlements",
      {
        config: { access: "public" },
        schema: {
          operationId: "nationalSettle",
          tags: ["national hub"],
          summary:
            "The hub asks this province to settle another province's hospital's basket on one of its cards (signed by the hub); a retry of the hospital's key answers the first settlement",
          security: [],
          body: remoteSettleBody,
          response: { 200: z.looseObject({ settlementId: z.string(), day: z.string() }) },
        },
      },
      async (request) => {
        const from = asking.get(request)!;
        const role = "medical_operator";
        return (await deps.settle(
          hubActor(from, role),
          { province: from, provinceName: provinceName(from) },
          request.body,
        )) as {
          settlementId: string;
          day: string;
        };
      },
    );
  };
}
