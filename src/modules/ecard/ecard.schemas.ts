import { z } from "zod";

export const jpegBase64 = z.string().min(100).max(4_000_000).describe("a JPEG photo, base64");
export const ecardIdSchema = z.string().regex(/^[0-9a-f]{32}$/);
export const credentialSchema = z
  .string()
  .describe("the signed credential: two segments of a code (see docs/ecard.md)");
