import type { Kysely } from "kysely";

/** One row per periodic job and period: the unique key that makes a job run once per period. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("job_runs")
    .addColumn("job", "varchar(32)", (c) => c.notNull())
    .addColumn("period", "varchar(32)", (c) => c.notNull())
    .addColumn("status", "varchar(16)", (c) => c.notNull())
    .addColumn("started_at", "varchar(32)", (c) => c.notNull())
    .addColumn("finished_at", "varchar(32)")
    .addColumn("runner", "varchar(64)", (c) => c.notNull())
    .addColumn("progress", "text")
    .addColumn("result", "text")
    .addColumn("error", "text")
    .addPrimaryKeyConstraint("job_runs_pk", ["job", "period"])
    .execute();
}
