import type { Selectable } from "kysely";

/** Times are ISO-8601 UTC strings and dates `YYYY-MM-DD` on both dialects. */
/** A periodic job's run for one period (src/modules/jobs). */
export interface JobRunsTable {
  job: string;
  period: string;
  status: "running" | "succeeded" | "failed";
  started_at: string;
  finished_at: string | null;
  /** The process that ran it (host:pid). */
  runner: string;
  /** JSON: how far it got, while it runs. */
  progress: string | null;
  /** JSON: what it did. */
  result: string | null;
  error: string | null;
}

/** The jobs module's tables. */
export interface JobsTables {
  job_runs: JobRunsTable;
}

export type JobRunRow = Selectable<JobRunsTable>;
