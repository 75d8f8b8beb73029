import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Db } from "../../db/database.ts";
import { isReachable } from "../../db/database.ts";
import { pendingMigrations } from "../../db/migrate.ts";
import { webBuilt } from "../../http/web.ts";
import type { Clock } from "../../shared/clock.ts";
import { chinaDate } from "../../shared/clock.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { workers } from "./workers.ts";

/** `/healthz`: the process is up. `/readyz`: the database answers and its schema is current. */
export function healthRoutes(deps: {
  database: Db;
  clock: Clock;
  audit: Pick<AuditService, "missingTriggers">;
}): FastifyPluginAsyncZod {
  const { db, dialect } = deps.database;
  return async (app) => {
    app.get(
      "/healthz",
      {
        config: { access: "public" },
        schema: {
          operationId: "getLiveness",
          tags: ["health"],
          summary: "Process is up",
          security: [],
          response: { 200: z.object({ status: z.literal("ok") }) },
        },
      },
      async () => ({ status: "ok" as const }),
    );

    // The front ends take "now" and "today" from here, not from the device: a kiosk's or a PC's clock
    // may be wrong, and a date in the future or the past is refused by the rules that check it.
    app.get(
      "/api/v1/time",
      {
        config: { access: "public" },
        schema: {
          operationId: "getServerTime",
          tags: ["health"],
          summary: "The server's time and today's date in China Standard Time",
          security: [],
          response: {
            200: z.object({ now: z.string(), today: z.string(), timeZone: z.literal("Asia/Shanghai") }),
          },
        },
      },
      async () => {
        const now = deps.clock.now();
        return { now: now.toISOString(), today: chinaDate(now), timeZone: "Asia/Shanghai" as const };
      },
    );

    const readiness = z.object({
      status: z.enum(["ready", "not_ready"]),
      database: z.enum(["reachable", "unreachable"]),
      dialect: z.enum(["sqlite", "postgres"]),
      pendingMigrations: z.array(z.string()),
      auditTriggers: z
        .enum(["intact", "missing", "unknown"])
        .describe("the audit log's append-only triggers (missing: someone dropped or disabled one)"),
      workers: z.object({ serving: z.number().int(), configured: z.number().int() }),
      pid: z.number().int(),
    });
    app.get(
      "/readyz",
      {
        config: { access: "public" },
        schema: {
          operationId: "getReadiness",
          tags: ["health"],
          summary: "Database reachable, migrations current, the audit log's append-only triggers in place",
          security: [],
          response: { 200: readiness, 503: readiness },
        },
      },
      async (_request, reply) => {
        const reachable = await isReachable(db);
        const pending = reachable ? await pendingMigrations(db, dialect).catch(() => ["?"]) : [];
        const missing = reachable ? await deps.audit.missingTriggers().catch(() => undefined) : undefined;
        const auditTriggers = missing === undefined ? "unknown" : missing.length ? "missing" : "intact";
        const ready = reachable && pending.length === 0 && auditTriggers === "intact";
        return reply.status(ready ? 200 : 503).send({
          status: ready ? "ready" : "not_ready",
          database: reachable ? "reachable" : "unreachable",
          dialect,
          pendingMigrations: pending,
          auditTriggers,
          workers: { ...workers },
          pid: process.pid,
        });
      },
    );

    // Without a built front end, `/` is a small page pointing to the API documentation.
    if (!webBuilt())
      app.get("/", { config: { access: "public" }, schema: { hide: true } }, async (_request, reply) =>
        reply.type("text/html; charset=utf-8").send(
          `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>sscard 社会保障卡平台</title>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;line-height:1.6">
<h1>sscard 社会保障卡平台</h1><p>Social security card platform.</p>
<ul><li><a href="/docs">接口文档 API documentation</a> (<a href="/docs/json">OpenAPI JSON</a>)</li>
<li><a href="/healthz">/healthz</a> · <a href="/readyz">/readyz</a></li></ul></body></html>`,
        ),
      );
  };
}
