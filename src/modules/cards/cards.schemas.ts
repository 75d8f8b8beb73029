import { z } from "zod";
import { uuidSchema } from "../../http/schemas.ts";
import { CARD_ACTIONS, CARD_STATES } from "./cards.rules.ts";

export const idNumber = z.string().min(1).max(32).describe("18-character citizen ID number (GB 11643)");

export const cardSchema = z
  .object({
    id: uuidSchema,
    cardNumber: z.string(),
    cardIdCode: z.string(),
    specVersion: z.string(),
    cardType: z.string(),
    state: z.enum(CARD_STATES),
    socialSecurityFunction: z.enum(["not_activated", "activated"]),
    financialFunction: z.enum(["not_activated", "activated", "cancelled"]),
    bankCode: z.string().nullable(),
    areaCode: z.string(),
    holder: z.object({ personId: z.string(), idNumberMasked: z.string(), nameMasked: z.string() }),
    issueDate: z.string().nullable(),
    validUntil: z.string().nullable(),
    applicationKind: z.enum(["new", "replacement", "renewal"]),
    replacesCardNumber: z.string().nullable(),
    replacementReason: z.string().nullable(),
    tempCertificateNo: z
      .string()
      .nullable()
      .describe("temporary medical certificate number, valid until the new card is collected"),
    collectionSlipNo: z
      .string()
      .nullable()
      .describe("the collection slip's number (领卡凭证), asked for when the replacement is collected"),
    readyDate: z.string().nullable(),
    feeFen: z.number().int().nullable().describe("fee in fen (0.01 yuan)"),
    cancelReason: z.string().nullable(),
    canSettle: z.boolean().describe("false from the moment a loss is reported"),
    allowedActions: z.array(z.enum(CARD_ACTIONS)),
    services: z
      .array(z.enum(["replacement", "password_unlock", "password_reset", "financial_activate"]))
      .describe("the counter's services for a card in this state, beside the lifecycle actions"),
    passwordPurposes: z
      .array(z.enum(["query", "transaction", "identity"]))
      .describe("what the card's password may be checked for in this state"),
    holdsProvinceSlot: z.boolean().describe("counts as the holder's one card in the province"),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Card" });

export const reportSchema = z.object({
  accepted: z.number().int(),
  rejected: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      status: z.enum(["accepted", "rejected"]),
      cardNumber: z.string().optional(),
      reasonCode: z.string().optional().describe("why a row was rejected: a stable code"),
      reason: z.string().optional().describe("the same, worded in the caller's language"),
    }),
  ),
});

export const holderCheck = z.strictObject({
  holderIdNumber: idNumber.describe("the ID number on the document the holder presents"),
});
export const agentSchema = z.strictObject({ idNumber, name: z.string().min(1).max(60) });
