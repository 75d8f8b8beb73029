import { Cron } from "croner";
import { JOB_NAMES, type JobName, scheduleOf } from "./jobs.rules.ts";

/**
 * Fires the periodic jobs on their cron schedules (Asia/Shanghai) with croner. Every process may run a
 * scheduler: the job's (job, period) claim lets one run per period. Returns a function that stops it.
 */
export function startScheduler(
  run: (name: JobName) => Promise<unknown>,
  env: Readonly<Record<string, string | undefined>>,
  onError: (name: JobName, err: unknown) => void,
): { jobs: JobName[]; stop: () => void } {
  const crons: Cron[] = [];
  for (const name of JOB_NAMES) {
    const pattern = scheduleOf(name, env);
    if (!pattern) continue;
    crons.push(
      new Cron(pattern, { timezone: "Asia/Shanghai", protect: true, name }, async () => {
        await run(name).catch((err) => onError(name, err));
      }),
    );
  }
  return {
    jobs: crons.map((c) => c.name as JobName),
    stop: () => {
      for (const c of crons) c.stop();
    },
  };
}
