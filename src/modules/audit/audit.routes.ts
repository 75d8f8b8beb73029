import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors } from "../../http/schemas.ts";
import type { AuditService } from "./audit.service.ts";
import { AUDIT_PERMISSIONS } from "./audit.service.ts";

const recordSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorType: z.string(),
  actorId: z.string(),
  actorRole: z.string(),
  channel: z.string(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string(),
  areaCode: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  prevHash: z.string(),
  hash: z.string(),
});

/** Reading and verifying the tamper-evident audit log. */
export function auditRoutes(deps: { audit: AuditService }): FastifyPluginAsyncZod {
  const { audit } = deps;
  return async (app) => {
    app.get(
      "/audit",
      {
        config: { access: { permission: AUDIT_PERMISSIONS.read } },
        schema: {
          operationId: "listAuditRecords",
          tags: ["audit"],
          summary:
            "Audit records, newest first, in the caller's areas; filtered by subject, actor, action and time, paged with beforeSeq",
          querystring: z.strictObject({
            subjectType: z.string().max(32).optional(),
            subjectId: z.string().max(64).optional(),
            actorId: z
              .string()
              .max(64)
              .optional()
              .describe("the staff account, API key or holder that acted"),
            action: z
              .string()
              .regex(/^[a-z_]+(\.[a-zA-Z_]+)*\.?$/)
              .max(64)
              .optional()
              .describe("one action (card.issue), or a family of them ending in a dot (card.)"),
            from: z.iso.datetime({ offset: true }).optional().describe("records at or after this time"),
            to: z.iso.datetime({ offset: true }).optional().describe("records before this time"),
            beforeSeq: z.coerce.number().int().min(1).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
          }),
          response: { 200: z.array(recordSchema), ...errors(...AUTH_ERRORS) },
        },
      },
      async (request) => {
        const { from, to, ...rest } = request.query;
        // Stored times are UTC ISO strings: a time with an offset is compared as the same instant in UTC.
        const utc = (t?: string) => (t ? new Date(t).toISOString() : undefined);
        const rows = await audit.list(actorOf(request), { ...rest, from: utc(from), to: utc(to) });
        return rows.map((r) => ({
          seq: r.seq,
          at: r.at,
          actorType: r.actor_type,
          actorId: r.actor_id,
          actorRole: r.actor_role,
          channel: r.channel,
          action: r.action,
          subjectType: r.subject_type,
          subjectId: r.subject_id,
          areaCode: r.area_code,
          before: r.before === null ? null : JSON.parse(r.before),
          after: r.after === null ? null : JSON.parse(r.after),
          prevHash: r.prev_hash,
          hash: r.hash,
        }));
      },
    );

    app.get(
      "/audit/verification",
      {
        config: { access: { permission: AUDIT_PERMISSIONS.verify } },
        schema: {
          operationId: "verifyAuditChain",
          tags: ["audit"],
          summary:
            "Verify the whole hash chain and its signed checkpoints; reports the first bad record, or the first after the last checkpoint that holds",
          querystring: z.strictObject({
            anchorSeq: z.coerce.number().int().min(1).optional(),
            anchorHash: z
              .string()
              .regex(/^[0-9a-f]{64}$/)
              .optional(),
          }),
          response: {
            200: z.object({
              ok: z.boolean(),
              checked: z.number(),
              headSeq: z.number().optional(),
              headHash: z.string().optional(),
              seq: z.number().optional(),
              problem: z.string().optional(),
              checkpoints: z.number().optional().describe("signed checkpoints of the chain's head"),
              sealedSeq: z.number().optional().describe("the records up to here are sealed by a checkpoint"),
              unsealed: z.number().optional().describe("records after the last checkpoint"),
              lastCheckpointAt: z.string().nullable().optional(),
            }),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => {
        const { anchorSeq, anchorHash } = request.query;
        const anchor = anchorSeq && anchorHash ? { seq: anchorSeq, hash: anchorHash } : undefined;
        return audit.verifyAs(actorOf(request), anchor);
      },
    );
  };
}
