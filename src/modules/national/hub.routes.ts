import type { KeyObject } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { CARD_STATES } from "../cards/cards.rules.ts";
import { ecardIdSchema, nationalStatusCursor, nationalStatusList } from "../ecard/ecard.schemas.ts";
import type { HubService } from "./hub.service.ts";
import { hubRequestProblem, parseStatusCursor } from "./national.rules.ts";
import {
  codeAnswer,
  keepRawJsonBody,
  nationalCardNumber,
  refundAnswer,
  remoteCheckBody,
  remoteCodeBody,
  remoteRefundBody,
  remoteSettleBody,
  signedParts,
} from "./national.schemas.ts";

const province = z.string().regex(/^\d{2}$/);
const nationalIndex = z.string().regex(/^[0-9a-f]{64}$/, "64 lowercase hex digits");
const cardNumber = nationalCardNumber;
const int32 = z.number().int().max(2_000_000_000);
const cardChange = z.strictObject({
  nationalIndex,
  cardNumber,
  state: z.enum(CARD_STATES),
  version: int32.min(1),
});

/**
 * The hub's API for provinces (`/hub/v1`): every request is signed by its province with the key the hub
 * holds for it (HMAC-SM3 over time, method, path and the raw body); the province is the signer, never a
 * field of the body.
 */
export function hubRoutes(deps: {
  hub: HubService;
  clock: Clock;
  provinceKeys: ReadonlyMap<string, KeyObject>;
}): FastifyPluginAsyncZod {
  const signer = (request: FastifyRequest): string => {
    const parts = signedParts(request);
    const key = deps.provinceKeys.get(parts.province);
    if (!key) throw new DomainError("HUB_SIGNATURE_INVALID", { reason: "unknown_province" });
    const problem = hubRequestProblem(key, parts, deps.clock.now());
    if (problem) throw new DomainError("HUB_SIGNATURE_INVALID", { reason: problem });
    return parts.province;
  };
  const security = [{ provinceSignature: [] }];
  const signers = new WeakMap<FastifyRequest, string>();
  const signerOf = (request: FastifyRequest) => signers.get(request)!;
  return async (app) => {
    // The signature is checked before the body's schema: an unsigned caller learns nothing of it.
    app.addHook("preValidation", async (request) => {
      if ((request.routeOptions.config as { public?: boolean } | undefined)?.public) return;
      signers.set(request, signer(request));
    });
    keepRawJsonBody(app);

    app.post(
      "/hub/v1/changes",
      {
        schema: {
          operationId: "hubApplyChanges",
          tags: ["national hub"],
          summary: "A province's card changes from its outbox, applied once each by version",
          security,
          body: z
            .strictObject({
              changes: z.array(cardChange).max(1000).default([]),
              ecards: z
                .array(
                  cardChange.extend({
                    ecardId: ecardIdSchema,
                    sv: int32.min(1),
                    usable: z.boolean(),
                  }),
                )
                .max(1000)
                .default([]),
            })
            .refine((b) => b.changes.length + b.ecards.length > 0, "at least one change"),
          response: {
            200: z.object({ applied: z.number().int(), stale: z.number().int(), listed: z.number().int() }),
          },
        },
      },
      async (request) => deps.hub.applyChanges(signerOf(request), request.body.changes, request.body.ecards),
    );

    app.post(
      "/hub/v1/reservations",
      {
        schema: {
          operationId: "hubReserveSlot",
          tags: ["national hub"],
          summary: "Reserves a person's national slot for the signing province before it writes a new card",
          security,
          body: z.strictObject({ nationalIndex }),
          response: { 200: z.object({ reserved: z.literal(true), province }) },
        },
      },
      async (request) => deps.hub.reserve(signerOf(request), request.body.nationalIndex),
    );

    app.get(
      "/hub/v1/cards/:cardNumber",
      {
        schema: {
          operationId: "hubCardRoute",
          tags: ["national hub"],
          summary: "Where a card is held, and its state there (routing a cross-province request)",
          security,
          params: z.strictObject({ cardNumber }),
          response: {
            200: z.object({
              cardNumber,
              province,
              provinceName: z.string(),
              state: z.enum(CARD_STATES),
              version: z.number().int(),
              ecard: z.object({ sv: z.number().int(), usable: z.boolean() }).nullable(),
            }),
          },
        },
      },
      async (request) => deps.hub.cardRoute(request.params.cardNumber),
    );

    app.post(
      "/hub/v1/online-checks",
      {
        schema: {
          operationId: "hubForwardCheck",
          tags: ["national hub"],
          summary:
            "The online check of another province's card: forwarded to the card's home province, or answered from the registry when that province cannot answer and the card's state refuses it",
          security,
          body: remoteCheckBody,
          response: {
            200: z.looseObject({
              result: z.string(),
              insured: z.boolean(),
              homeProvince: province,
              homeProvinceName: z.string(),
              source: z.enum(["home", "registry"]),
            }),
          },
        },
      },
      async (request) => deps.hub.forwardCheck(signerOf(request), request.body),
    );

    app.post(
      "/hub/v1/settlements",
      {
        schema: {
          operationId: "hubForwardSettlement",
          tags: ["national hub"],
          summary:
            "A treating province's settlement on another province's card: decided by the card's home province with its account and policy, recorded here once for the day's netting",
          security,
          body: remoteSettleBody,
          response: {
            200: z.looseObject({
              settlementId: z.string(),
              day: z.string(),
              homeProvince: z.object({ code: province, name: z.string() }),
            }),
          },
        },
      },
      async (request) => deps.hub.forwardSettlement(signerOf(request), request.body),
    );

    app.post(
      "/hub/v1/ecard-codes/verify",
      {
        schema: {
          operationId: "hubForwardEcardCode",
          tags: ["national hub"],
          summary:
            "A national e-card's code shown in another province, checked online by its home province (a payment code works once)",
          security,
          body: remoteCodeBody,
          response: { 200: codeAnswer.extend({ homeProvince: province }) },
        },
      },
      async (request) => deps.hub.forwardCodeCheck(signerOf(request), request.body),
    );

    app.post(
      "/hub/v1/refunds",
      {
        schema: {
          operationId: "hubForwardRefund",
          tags: ["national hub"],
          summary:
            "A treating hospital's refund of its cross-province settlement (found by the key it settled with): made by the home province under its rules, recorded here once for the day's netting",
          security,
          body: remoteRefundBody,
          response: { 200: refundAnswer },
        },
      },
      async (request) => deps.hub.forwardRefund(signerOf(request), request.body),
    );

    app.get(
      "/hub/v1/netting",
      {
        schema: {
          operationId: "hubNetting",
          tags: ["national hub"],
          summary:
            "A day's cross-province settlements of the signing province with each other province, and its net position (positive: it receives)",
          security,
          querystring: z.strictObject({ day: z.iso.date() }),
          response: {
            200: z.object({
              day: z.string(),
              province,
              netFen: z.number().int(),
              pairs: z.array(
                z.object({
                  treatingProvince: province,
                  homeProvince: province,
                  count: z.number().int(),
                  accountFen: z.number().int(),
                  totalFen: z.number().int(),
                  refundCount: z.number().int(),
                  refundedAccountFen: z.number().int(),
                }),
              ),
            }),
          },
        },
      },
      async (request) => deps.hub.netting(signerOf(request), request.query.day),
    );

    app.post(
      "/hub/v1/ecard-credentials",
      {
        schema: {
          operationId: "hubSignEcardCredential",
          tags: ["national hub"],
          summary:
            "Signs a province's e-card credential as the national platform (the card must be the province's, in a state whose e-card may be used)",
          security,
          body: z.strictObject({
            cardNumber,
            credential: z.strictObject({
              v: z.literal(1),
              iss: z.string().max(64),
              eid: z.string().min(1).max(64),
              dk: z.string().regex(/^(02|03)[0-9a-f]{64}$|^04[0-9a-f]{128}$/, "an SM2 public key (hex)"),
              nm: z.string().max(64),
              cn: z.string().max(16),
              ar: z.string().regex(/^\d{6}$/),
              sv: z.number().int().min(0).max(2_000_000_000),
              ch: z.string().max(32),
              iat: z.number().int().min(0),
              exp: z.number().int().min(0),
            }),
          }),
          response: { 200: z.object({ credential: z.string() }) },
        },
      },
      async (request) => deps.hub.signEcardCredential(signerOf(request), request.body),
    );

    app.get(
      "/hub/v1/ecard/issuer-keys",
      {
        config: { public: true },
        schema: {
          operationId: "hubEcardIssuerKeys",
          tags: ["national hub"],
          summary:
            "The public keys of national e-card credentials (key id → SM2 public key, hex), for every terminal",
          security: [],
          response: { 200: z.record(z.string(), z.string()) },
        },
      },
      async () => deps.hub.ecardIssuerKeys(),
    );

    app.get(
      "/hub/v1/ecard/status-list",
      {
        config: { public: true },
        schema: {
          operationId: "hubEcardStatusList",
          tags: ["national hub"],
          summary:
            "The national e-card status list after a cursor, signed with the national e-card key (every province's e-cards)",
          security: [],
          querystring: z.strictObject({ since: nationalStatusCursor.default("") }),
          response: { 200: nationalStatusList },
        },
      },
      async (request) => {
        const since = parseStatusCursor(request.query.since);
        if (!since)
          throw new DomainError("VALIDATION_FAILED", {
            summary: "since: provinces of the mainland, each once",
          });
        return deps.hub.statusList(since);
      },
    );

    app.get(
      "/hub/v1/duplicates",
      {
        schema: {
          operationId: "hubDuplicates",
          tags: ["national hub"],
          summary: "Persons with active cards in the signing province and another, for cancellation",
          security,
          response: {
            200: z.array(
              z.object({
                cards: z.array(z.object({ cardNumber, province, state: z.enum(CARD_STATES) })),
              }),
            ),
          },
        },
      },
      async (request) => deps.hub.duplicates(signerOf(request)),
    );
  };
}
