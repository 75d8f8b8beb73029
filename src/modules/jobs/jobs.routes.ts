import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors } from "../../http/schemas.ts";
import { JOB_NAMES } from "./jobs.rules.ts";
import type { JobsService } from "./jobs.service.ts";
import { JOB_PERMISSIONS } from "./jobs.service.ts";

const runSchema = z.object({
  period: z.string(),
  status: z.enum(["running", "succeeded", "failed"]),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  runner: z.string().describe("host:pid of the process that ran it"),
  progress: z.unknown(),
  result: z.unknown(),
  error: z.string().nullable(),
});

/** The periodic jobs: what runs when, what each run did, and running one now. */
export function jobsRoutes(deps: { jobs: JobsService }): FastifyPluginAsyncZod {
  const { jobs } = deps;
  return async (app) => {
    app.get(
      "/jobs",
      {
        config: { access: { permission: JOB_PERMISSIONS.read } },
        schema: {
          operationId: "listJobs",
          tags: ["jobs"],
          summary: "The periodic jobs, their schedules (Asia/Shanghai) and latest runs",
          response: {
            200: z.array(
              z.object({
                name: z.enum(JOB_NAMES),
                summary: z.string(),
                schedule: z.string(),
                runs: z.array(runSchema),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => jobs.overview(actorOf(request)),
    );

    app.post(
      "/jobs/:name/runs",
      {
        config: { access: { permission: JOB_PERMISSIONS.run } },
        schema: {
          operationId: "runJobNow",
          tags: ["jobs"],
          summary: "Run a job now for its current period (refused when that period ran already)",
          params: z.strictObject({ name: z.enum(JOB_NAMES) }),
          response: {
            201: z.object({ ran: z.boolean(), period: z.string(), status: z.string().optional() }),
            ...errors(...AUTH_ERRORS, 409),
          },
        },
      },
      async (request, reply) =>
        reply.status(201).send(await jobs.runNow(actorOf(request), request.params.name)),
    );
  };
}
