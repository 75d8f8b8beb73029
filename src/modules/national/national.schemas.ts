import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import { plainText, systemText } from "../../http/schemas.ts";
import { DomainError } from "../../shared/errors.ts";
import { code, idempotencyKey } from "../medical/medical.schemas.ts";
import { HUB_HEADERS } from "./national.http.ts";
import type { HubRequest } from "./national.rules.ts";

/** What a province and the hub send each other, one schema for both ends (hub.routes.ts, national.routes.ts). */
export const nationalCardNumber = z.string().regex(/^[A-Z0-9]{9}$/, "9 characters");

/** The hospital's own references, as its province accepted them (no control characters reach a database). */
const institution = z.strictObject({ code: code.shape.code, name: plainText(1, 100) });
const terminalNo = z.string().regex(/^\d{12}$/, "12 digits");

/** A cross-province online check: the card's data read from the chip, and the asking caller's role. */
export const remoteCheckBody = z.strictObject({
  cardNumber: nationalCardNumber,
  cardIdCode: systemText(32).optional(),
  idNumber: systemText(32).optional(),
  name: systemText(64).optional(),
  role: z.string().regex(/^[a-z_]{1,32}$/),
});

/** An e-card code checked online at its home province, and the asking caller's role. */
export const remoteCodeBody = z.strictObject({
  code: z.string().min(10).max(2000),
  purpose: z.enum(["identity", "payment"]),
  role: z.string().regex(/^[a-z_]{1,32}$/),
});

/** What the home province answers of a code: as for a local code, nothing unmasked. */
export { codeCheckSchema as codeAnswer } from "../ecard/ecard.schemas.ts";

/** A refund of a cross-province settlement by the hospital that made it (its key names the settlement). */
export const remoteRefundBody = z.strictObject({
  settlementId: z.uuid(),
  settlementKey: idempotencyKey,
  idempotencyKey,
  lines: z
    .array(
      z.strictObject({
        line: z.number().int().min(1).max(200),
        quantity: z.number().int().min(1).max(100_000),
      }),
    )
    .min(1)
    .max(200)
    .optional(),
  institution,
  terminalNo,
});

/** A refund's answer as the home province gives it. */
export const refundAnswer = z.object({
  refundId: z.string(),
  settlementId: z.string(),
  replayed: z.boolean(),
  accountFen: z.number().int(),
  selfFen: z.number().int(),
  lines: z.array(z.object({ line: z.number().int(), quantity: z.number().int() })),
  day: z.string(),
  state: z.string().optional(),
});

/** A cross-province settlement: the treating hospital's basket on the card, with its own key. */
export const remoteSettleBody = z
  .strictObject({
    cardNumber: nationalCardNumber.optional(),
    ecardCode: z.string().min(10).max(2000).optional(),
    pin: z
      .string()
      .regex(/^\d{6}$/)
      .optional(),
    items: z
      .array(
        z.strictObject({
          code: code.shape.code,
          quantity: z.number().int().min(1).max(100_000),
          unitPriceFen: z.number().int().min(0).max(100_000_000),
        }),
      )
      .min(1)
      .max(200),
    acceptSelfPay: z.boolean().optional(),
    idempotencyKey,
    institution,
    terminalNo,
  })
  .refine(
    (b) => (b.cardNumber === undefined) !== (b.ecardCode === undefined),
    "give either cardNumber or ecardCode",
  );

/** What a received request's signature covers, and the signature, from its headers and raw body. */
export function signedParts(request: FastifyRequest): HubRequest & { signature: string } {
  const h = request.headers;
  return {
    province: String(h[HUB_HEADERS.province] ?? ""),
    at: String(h[HUB_HEADERS.at] ?? ""),
    method: request.method,
    path: request.url,
    body: rawBodyOf(request),
    signature: String(h[HUB_HEADERS.signature] ?? ""),
  };
}

/** A request's raw body, kept by `keepRawJsonBody`: what the signature covers. */
export const rawBodyOf = (request: FastifyRequest) =>
  (request as FastifyRequest & { rawBody?: string }).rawBody ?? "";

/** In this plugin's scope, JSON bodies are parsed as before and their raw text kept for the signature. */
export function keepRawJsonBody(app: FastifyInstance) {
  if (app.hasContentTypeParser("application/json")) app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    (request as FastifyRequest & { rawBody?: string }).rawBody = String(body);
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(new DomainError("MALFORMED_JSON"), undefined);
    }
  });
}
