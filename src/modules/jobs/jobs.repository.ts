import type { Kysely } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import type { Database, JobRunRow } from "../../db/schema.ts";

/** SQL for the periodic jobs' runs. */
export function createJobsRepository() {
  return {
    /**
     * Claims a job's period for this runner: true when the run is ours. The unique key (job, period)
     * makes one claim win; a run still "running" after `staleBefore` (its process died) is taken over.
     */
    async claim(
      db: Kysely<Database>,
      row: Pick<JobRunRow, "job" | "period" | "started_at" | "runner">,
      staleBefore: string,
    ) {
      try {
        await db
          .insertInto("job_runs")
          .values({ ...row, status: "running", finished_at: null, progress: null, result: null, error: null })
          .execute();
        return true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const taken = await db
        .updateTable("job_runs")
        .set({
          status: "running",
          started_at: row.started_at,
          runner: row.runner,
          finished_at: null,
          progress: null,
          result: null,
          error: null,
        })
        .where("job", "=", row.job)
        .where("period", "=", row.period)
        .where((w) =>
          w.or([
            w("status", "=", "failed"),
            w.and([w("status", "=", "running"), w("started_at", "<", staleBefore)]),
          ]),
        )
        .executeTakeFirst();
      return Number(taken.numUpdatedRows) === 1;
    },

    progress: (db: Kysely<Database>, job: string, period: string, progress: string) =>
      db
        .updateTable("job_runs")
        .set({ progress })
        .where("job", "=", job)
        .where("period", "=", period)
        .execute(),

    finish: (
      db: Kysely<Database>,
      job: string,
      period: string,
      end: Pick<JobRunRow, "status" | "finished_at" | "result" | "error">,
    ) => db.updateTable("job_runs").set(end).where("job", "=", job).where("period", "=", period).execute(),

    /** The newest runs, of one job or all. */
    recent: (db: Kysely<Database>, limit: number, job?: string) => {
      let q = db.selectFrom("job_runs").selectAll().orderBy("started_at", "desc").limit(limit);
      if (job) q = q.where("job", "=", job);
      return q.execute();
    },
  };
}

export type JobsRepository = ReturnType<typeof createJobsRepository>;
