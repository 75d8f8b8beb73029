import { z } from "zod";
import { fenSchema, uuidSchema } from "../../http/schemas.ts";

export const fen = fenSchema;
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "a month YYYY-MM");
export const institutionSchema = z.object({
  id: uuidSchema,
  code: z.string(),
  name: z.string(),
  kind: z.enum(["hospital", "pharmacy"]),
  areaCode: z.string(),
  agreementFrom: z.string(),
  agreementUntil: z.string(),
});
export const classSchema = z.enum(["A", "B", "none"]);
export const receiptSchema = z.object({
  settlementId: uuidSchema,
  idempotencyKey: z.string(),
  replayed: z.boolean().describe("true when this answers a retry with the first result"),
  state: z.enum(["settled", "partly_refunded", "reversed"]),
  institution: z.object({ code: z.string(), name: z.string() }),
  homeProvince: z
    .object({ code: z.string(), name: z.string() })
    .optional()
    .describe("a card of another province, settled by its home province through the national hub"),
  terminalNo: z.string(),
  medium: z.enum(["card", "ecard", "tempcert"]).describe("tempcert: a temporary medical certificate"),
  cardNumberMasked: z.string(),
  day: z.string(),
  at: z.string(),
  catalogueVersion: z.number().int(),
  items: z.array(
    z.object({
      line: z.number().int(),
      code: z.string(),
      name: z.string(),
      class: classSchema,
      quantity: z.number().int(),
      unitPriceFen: fen,
      amountFen: fen,
      coveredFen: fen,
      accountFen: fen,
      selfFen: fen,
      refundedQuantity: z.number().int(),
    }),
  ),
  totals: z.object({ totalFen: fen, coveredFen: fen, accountFen: fen, selfFen: fen }),
  refunded: z.object({ accountFen: fen, selfFen: fen }),
});
export const idempotencyKey = z
  .string()
  .regex(/^[A-Za-z0-9_.:-]{8,64}$/, "8–64 letters, digits or _.:-")
  .describe(
    "chosen by the terminal; a retry with the same key answers the first result and never pays twice",
  );
export const code = z.object({ code: z.string().regex(/^[A-Za-z0-9.-]{1,32}$/) });
