import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Actor } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import {
  hubActorFor,
  provinceName,
  type RefundView,
  type RemoteRefundInput,
  type RemoteSettleRequest,
} from "./national.rules.ts";
import {
  codeAnswer,
  keepRawJsonBody,
  refundAnswer,
  remoteCheckBody,
  remoteCodeBody,
  remoteRefundBody,
  remoteSettleBody,
  signedParts,
} from "./national.schemas.ts";
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
    homeProvince: string,
  ) => Promise<unknown>;
  /** The home province's side of a cross-province refund (medical.remote.ts). */
  refund: (
    actor: Actor,
    from: { province: string; provinceName: string },
    input: RemoteRefundInput,
    homeProvince: string,
  ) => Promise<RefundView>;
  /** The home province's online check of one of its e-cards' codes (ecard.verifyOnline). */
  verifyCode: (actor: Actor, input: { code: string; purpose: "identity" | "payment" }) => Promise<unknown>;
  check: (
    actor: Actor,
    input: { cardNumber: string; cardIdCode?: string; idNumber?: string; name?: string },
  ) => Promise<CheckAnswer>;
}): FastifyPluginAsyncZod {
  return async (app) => {
    keepRawJsonBody(app);
    const asking = new WeakMap<FastifyRequest, string>();
    app.addHook("preValidation", async (request) => {
      const parts = signedParts(request);
      const problem = deps.national.hubProblem(parts);
      if (problem) throw new DomainError("HUB_SIGNATURE_INVALID", { reason: problem });
      asking.set(request, parts.province);
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
        const answer = await deps.check(hubActorFor(asking.get(request)!, role), input);
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
          hubActorFor(from, role),
          { province: from, provinceName: provinceName(from) },
          request.body,
          deps.national.province!,
        )) as {
          settlementId: string;
          day: string;
        };
      },
    );

    app.post(
      "/national/v1/ecard-codes/verify",
      {
        config: { access: "public" },
        schema: {
          operationId: "nationalVerifyEcardCode",
          tags: ["national hub"],
          summary:
            "The hub asks this province to check one of its e-cards' codes online, shown in another province (signed by the hub); a payment code works once",
          security: [],
          body: remoteCodeBody,
          response: { 200: codeAnswer },
        },
      },
      async (request) => {
        const { role, ...input } = request.body;
        return (await deps.verifyCode(hubActorFor(asking.get(request)!, role), input)) as z.infer<
          typeof codeAnswer
        >;
      },
    );

    app.post(
      "/national/v1/refunds",
      {
        config: { access: "public" },
        schema: {
          operationId: "nationalRefund",
          tags: ["national hub"],
          summary:
            "The hub asks this province to refund a settlement another province's hospital made on one of its cards (signed by the hub); a retry of the hospital's key answers the first refund",
          security: [],
          body: remoteRefundBody,
          response: { 200: refundAnswer },
        },
      },
      async (request) => {
        const from = asking.get(request)!;
        return deps.refund(
          hubActorFor(from, "medical_operator"),
          { province: from, provinceName: provinceName(from) },
          request.body,
          deps.national.province!,
        );
      },
    );
  };
}
