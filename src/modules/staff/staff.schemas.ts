import { z } from "zod";
import { areaCodeSchema, roleSchema, uuidSchema } from "../../http/schemas.ts";
import { CHANNELS, KEY_CHANNELS } from "../../shared/auth.ts";

export const grantSchema = z.object({
  role: roleSchema,
  areaCode: areaCodeSchema,
  outletId: uuidSchema.nullable().optional(),
  employerId: uuidSchema.nullable().optional().describe("for employer_operator: the employer it acts for"),
  institutionId: uuidSchema
    .nullable()
    .optional()
    .describe("for medical_operator and pharmacy_operator: the designated institution it settles for"),
});

export const staffSchema = z.object({
  id: uuidSchema,
  username: z.string(),
  displayName: z.string(),
  status: z.enum(["active", "disabled"]),
  lockedUntil: z.string().nullable().describe("locked after wrong passwords until this time"),
  grants: z.array(grantSchema),
  createdAt: z.string(),
});

export const loginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  channel: z.enum(CHANNELS).exclude(["system"]).optional(),
});

export const loginResponse = z.object({
  token: z.string().describe("Bearer token for the Authorization header"),
  expiresAt: z.string(),
  idleMinutes: z.number(),
  staff: staffSchema,
});

export const meResponse = z.object({
  type: z.enum(["staff", "api_key", "system", "holder", "channel"]),
  id: z.string(),
  username: z.string().optional(),
  name: z.string().optional(),
  displayName: z.string().optional(),
  status: z.enum(["active", "disabled"]).optional(),
  grants: z.array(grantSchema),
  createdAt: z.string().optional(),
  actions: z
    .array(z.string())
    .describe(
      "the actions (docs/permissions.md) this principal may take on its channel, in some area of its grants",
    ),
});

export const createStaffBody = z.strictObject({
  username: z.string().regex(/^[a-z][a-z0-9_.-]{2,63}$/, "3-64 lower-case letters, digits, _ . -"),
  displayName: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
  grants: z.array(grantSchema.strict()).min(1).max(10),
});

export const changePasswordBody = z.strictObject({
  currentPassword: z.string().min(1).max(256),
  newPassword: z.string().min(1).max(256),
});

export const apiKeySchema = z.object({
  id: uuidSchema,
  name: z.string(),
  role: roleSchema,
  areaCode: z.string(),
  channel: z.string(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

export const createApiKeyBody = z.strictObject({
  name: z.string().min(1).max(100),
  role: roleSchema,
  areaCode: areaCodeSchema,
  channel: z
    .string()
    .max(16)
    .optional()
    .describe(`the channel the key serves: ${KEY_CHANNELS.join(", ")} (default terminal)`),
  employerId: uuidSchema.optional().describe("for employer_operator: the employer whose system this is"),
  institutionId: uuidSchema
    .optional()
    .describe("for medical_operator and pharmacy_operator: the designated institution whose system this is"),
});

export const createdApiKey = apiKeySchema.omit({ revokedAt: true }).extend({
  token: z.string().describe("Shown once; only a keyed hash is stored"),
});
