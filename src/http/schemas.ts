import { z } from "zod";
import { ROLES } from "../shared/auth.ts";
import { ERROR_CODES } from "../shared/errors.ts";

/** The body of every error response. */
export const errorSchema = z
  .object({
    code: z.enum(ERROR_CODES),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .describe("Error: a stable code, a message in the caller's language (Accept-Language; Chinese by default)");

/** Error responses for the given statuses, for a route's `response` schema. */
export function errors<const S extends number>(...statuses: S[]): Record<S, typeof errorSchema> {
  return Object.fromEntries(statuses.map((s) => [s, errorSchema])) as Record<S, typeof errorSchema>;
}

/** The statuses every authenticated route can answer with. */
export const AUTH_ERRORS = [400, 401, 403] as const;

export const areaCodeSchema = z.string().regex(/^\d{6}$/, "a 6-digit administrative division code");
/** Whether `text` is YYYY-MM-DD and a day of the calendar (no 2026-02-30, no month 13, no year 0000). */
export function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (y < 1900 || y > 2199) return false;
  const at = new Date(Date.UTC(y, mo - 1, d));
  return at.getUTCFullYear() === y && at.getUTCMonth() === mo - 1 && at.getUTCDate() === d;
}

/** The one date schema of every route: YYYY-MM-DD, a real day of the calendar between 1900 and 2199. */
export const dateSchema = z
  .string()
  .refine(isCalendarDate, "a date of the calendar, YYYY-MM-DD")
  .meta({ format: "date", example: "2026-11-22" });
export const uuidSchema = z.uuid();
/** Text a person wrote (a reason, evidence, a file's name): no control characters (PostgreSQL refuses NUL). */
export const plainText = (min: number, max: number) =>
  z
    .string()
    .trim()
    .min(min)
    .max(max)
    .refine((text) => !hasControlCharacter(text), "text without control characters");
/** Text as a system sent it (an identifier read from a chip, a name), untrimmed, without control characters. */
export const systemText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((text) => !hasControlCharacter(text), "text without control characters");
/** Whether text holds a control character other than tab, line feed and carriage return. */
function hasControlCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 127) return true;
  }
  return false;
}
/** The one card number schema: 9 letters or digits (a malformed one answers INVALID_CARD_NUMBER). */
export const cardNumberSchema = z
  .string()
  .regex(/^[0-9A-Z]{9}$/, "9 capital letters or digits")
  .meta({ description: "the 9-character card number printed on the card", example: "A12345678" });
/** A temporary medical certificate's number (临时就医凭证号), standing for the card during its replacement. */
export const temporaryCertificateNoSchema = z
  .string()
  .regex(/^LS\d{22}$/, "a temporary medical certificate number (LS and 22 digits)")
  .meta({ example: "LS3301062026120612345678" });
/** A route's path parameter `cardNumber`. */
export const cardNumberParams = z.object({ cardNumber: cardNumberSchema });
/** The one social security password schema: 6 digits, typed on a PIN pad at a counter, kiosk or web page (over TLS). */
export const pinSchema = z.string().regex(/^\d{6}$/, "6 digits");
export const pinBlockSchema = z
  .strictObject({
    format: z.union([z.literal(4), z.literal(1)]).describe("ISO 9564-1 format: 4 (AES) or 1 (legacy TDEA)"),
    block: z.string().regex(/^([0-9A-Fa-f]{16}|[0-9A-Fa-f]{32})$/, "16 or 32 hex characters"),
  })
  .describe("an enciphered PIN block under the terminal's PIN key; terminals and kiosks must use this");
/** A password as typed (counter, hall) or as a terminal's PIN block: give one of them. */
export const passwordShape = { pin: pinSchema.optional(), pinBlock: pinBlockSchema.optional() };
const onePassword = (v: { pin?: string; pinBlock?: unknown }) =>
  (v.pin === undefined) !== (v.pinBlock === undefined);
export const ONE_PASSWORD = [onePassword, "give either pin or pinBlock"] as const;
/** An amount of money in fen (0.01 yuan), in a response. */
export const fenSchema = z.number().int().describe("fen (0.01 yuan)");
/** An amount to pay in fen: at least 1 fen, at most 1,000,000 yuan. */
export const amountFenSchema = z.number().int().min(1).max(100_000_000).describe("fen (0.01 yuan)");
// No minimum length: an empty or short number is the ID rules' to refuse, naming the part (INVALID_ID_NUMBER).
export const idNumberSchema = z.string().max(32).describe("18-character citizen ID number (GB 11643)");
export const roleSchema = z.enum(ROLES);
export const okSchema = z.object({ ok: z.literal(true) });
