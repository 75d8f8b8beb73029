import { z } from "zod";

export const jpegBase64 = z.string().min(100).max(4_000_000).describe("a JPEG photo, base64");
export const ecardIdSchema = z.string().regex(/^[0-9a-f]{32}$/);

/** Where a terminal is in the national e-card status list: `33:120,32:45` (empty: from the start). */
export const nationalStatusCursor = z
  .string()
  .max(600)
  .regex(/^(\d{2}:\d{1,15}(,\d{2}:\d{1,15})*)?$/, "province:number pairs, comma-separated");

/** A status list's entries: an e-card, its status version, and whether it may be used. */
export const statusEntries = z.array(z.object({ eid: z.string(), sv: z.number(), usable: z.boolean() }));

/** The national e-card status list as the hub signs it (every field: the signature covers them all). */
export const nationalStatusList = z.object({
  keyId: z.string(),
  from: z.string(),
  to: z.string(),
  more: z.boolean(),
  entries: statusEntries,
  signature: z.string(),
  publicKey: z.string(),
  userId: z.string(),
  algorithm: z.literal("SM2-SM3"),
});
export type NationalStatusList = z.infer<typeof nationalStatusList>;
export const credentialSchema = z
  .string()
  .describe("the signed credential: two segments of a code (see docs/ecard.md)");

/** A code verified online: what a terminal learns of the e-card (nothing unmasked). */
export const codeCheckSchema = z.object({
  valid: z.literal(true),
  type: z.string(),
  nameMasked: z.string(),
  cardNumberMasked: z.string(),
  areaCode: z.string(),
  scope: z.string(),
});
export type CodeCheck = z.infer<typeof codeCheckSchema>;
