import { hostname } from "node:os";
import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumbersIn } from "../../shared/mask.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsService } from "../cards/cards.service.ts";
import type { EnrolmentService } from "../enrolment/enrolment.service.ts";
import type { MedicalService } from "../medical/medical.service.ts";
import type { PaymentsService } from "../payments/payments.service.ts";
import { JOB_PERMISSIONS } from "./jobs.permissions.ts";
import type { JobsRepository } from "./jobs.repository.ts";
import { JOB_NAMES, JOBS, type JobName, RUN_LEASE_MS, scheduleOf } from "./jobs.rules.ts";

export { JOB_PERMISSIONS };

/** What one run of a job did (kept as its result). */
type Work = (period: string, progress: (p: object) => Promise<void>) => Promise<object>;

/**
 * The periodic jobs: each run claims its (job, period) row first, so a period runs once however many
 * workers or servers fire; the row records who ran it, its progress, its result or its error.
 */
export function createJobsService(deps: {
  db: Kysely<Database>;
  repo: JobsRepository;
  clock: Clock;
  cards: CardsService;
  medical: MedicalService;
  enrolment: Pick<EnrolmentService, "arrearsRun">;
  payments: Pick<PaymentsService, "reconcile">;
  audit: AuditService;
  env?: Readonly<Record<string, string | undefined>>;
}) {
  const { db, repo, clock } = deps;
  const runner = `${hostname()}:${process.pid}`;
  const work: Record<JobName, Work> = {
    "cards.daily": async (period) => {
      const r = await deps.cards.runDaily(SYSTEM_ACTOR, period);
      return {
        expired: r.expired.length,
        renewalWindowOpens: r.renewalWindowOpens.length,
        autoCancelled: r.autoCancelled.length,
      };
    },
    "medical.arrears": async () => deps.enrolment.arrearsRun(SYSTEM_ACTOR),
    "medical.transfer": async (period, progress) => {
      // Progress is written one update at a time, and all of it before the run is recorded as done.
      let written = Promise.resolve();
      const r = await deps.medical.transferMonth(SYSTEM_ACTOR, period, (p) => {
        written = written.then(() => progress({ ...p }));
      });
      await written;
      return { month: r.month, credited: r.credited, totalFen: r.totalFen };
    },
    "payments.reconcile": async () => deps.payments.reconcile(),
    "audit.checkpoint": async () => {
      const made = await deps.audit.checkpoint("interval");
      return made ? { headSeq: made.headSeq } : { headSeq: null };
    },
  };

  /** Runs `name` for the period of now, unless that period already ran or runs elsewhere. */
  async function run(name: JobName): Promise<{ ran: boolean; period: string; status?: string }> {
    const now = clock.now();
    const period = JOBS[name].periodOf(now);
    const claimed = await repo.claim(
      db,
      { job: name, period, started_at: now.toISOString(), runner },
      new Date(now.getTime() - RUN_LEASE_MS).toISOString(),
    );
    if (!claimed) return { ran: false, period };
    try {
      const result = await work[name](period, (p) =>
        repo.progress(db, name, period, JSON.stringify(p)).then(() => {}),
      );
      await repo.finish(db, name, period, {
        status: "succeeded",
        finished_at: clock.now().toISOString(),
        result: JSON.stringify(result),
        error: null,
      });
      return { ran: true, period, status: "succeeded" };
    } catch (err) {
      const error =
        err instanceof DomainError
          ? err.code
          : maskIdNumbersIn(err instanceof Error ? err.message : String(err));
      await repo.finish(db, name, period, {
        status: "failed",
        finished_at: clock.now().toISOString(),
        result: null,
        error,
      });
      return { ran: true, period, status: "failed" };
    }
  }

  return {
    run,

    /** Each job, its schedule (or off) and its latest runs, for administrators and auditors. */
    async overview(actor: Actor) {
      authorize(actor, JOB_PERMISSIONS.read);
      const runs = await repo.recent(db, 200);
      return JOB_NAMES.map((name) => ({
        name,
        summary: JOBS[name].summary,
        schedule: scheduleOf(name, deps.env ?? process.env) ?? "off",
        runs: runs
          .filter((r) => r.job === name)
          .slice(0, 10)
          .map((r) => ({
            period: r.period,
            status: r.status,
            startedAt: r.started_at,
            finishedAt: r.finished_at,
            runner: r.runner,
            progress: r.progress === null ? null : JSON.parse(r.progress),
            result: r.result === null ? null : JSON.parse(r.result),
            error: r.error,
          })),
      }));
    },

    /** Runs a job now for the current period, as the schedule would; a period that ran is not run again. */
    async runNow(actor: Actor, name: JobName) {
      authorize(actor, JOB_PERMISSIONS.run);
      const r = await run(name);
      if (!r.ran) throw new DomainError("JOB_ALREADY_RAN", { job: name, period: r.period });
      return r;
    },
  };
}

export type JobsService = ReturnType<typeof createJobsService>;
