import { chinaDate, previousMonth } from "../../shared/clock.ts";

/** The periodic jobs the server runs, each at most once per period however many processes serve. */
export const JOB_NAMES = [
  "cards.daily",
  "medical.arrears",
  "medical.transfer",
  "audit.checkpoint",
  "payments.reconcile",
] as const;
export type JobName = (typeof JOB_NAMES)[number];

export type JobDefinition = Readonly<{
  summary: string;
  /** When it runs by default (cron, in the area's time zone Asia/Shanghai); `JOB_<NAME>` overrides it. */
  cron: string;
  /** The period a run at `now` is for: its unique key with the job's name. */
  periodOf: (now: Date) => string;
}>;

/** The five-minute slot of `now` (UTC), as 2026-12-06T14:05Z. */
const fiveMinuteSlot = (now: Date) => {
  const at = new Date(Math.floor(now.getTime() / 300_000) * 300_000);
  return `${at.toISOString().slice(0, 16)}Z`;
};

export const JOBS: Readonly<Record<JobName, JobDefinition>> = {
  "cards.daily": {
    summary: "expire cards past their validity, list renewal windows opening, cancel unrevoked pre-losses",
    cron: "30 0 * * *",
    periodOf: (now) => chinaDate(now),
  },
  "medical.arrears": {
    summary: "compute arrears and suspend the medical function beyond the grace period",
    cron: "0 2 * * *",
    periodOf: (now) => chinaDate(now),
  },
  "medical.transfer": {
    summary: "credit the personal-account share of the previous month's paid contributions",
    cron: "0 3 1 * *",
    periodOf: (now) => previousMonth(chinaDate(now).slice(0, 7)),
  },
  "audit.checkpoint": {
    summary: "seal the audit chain's head with a signed checkpoint",
    cron: "*/5 * * * *",
    periodOf: fiveMinuteSlot,
  },
  "payments.reconcile": {
    summary: "ask the bank about payment orders whose notification has not come, and settle what it paid",
    cron: "*/5 * * * *",
    periodOf: fiveMinuteSlot,
  },
};

/** The environment variable that sets a job's schedule (a cron expression, or `off`). */
export const jobVariable = (name: JobName) => `JOB_${name.toUpperCase().replace(".", "_")}`;

/**
 * A job's schedule from the environment: its cron expression, or undefined when it is off
 * (`SCHEDULER=off` turns every job off).
 */
export function scheduleOf(
  name: JobName,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if ((env.SCHEDULER ?? "on") === "off") return undefined;
  const value = env[jobVariable(name)]?.trim() || JOBS[name].cron;
  return value === "off" ? undefined : value;
}

/** How long a run may stay "running" before another process may take its period over (it died). */
export const RUN_LEASE_MS = 30 * 60_000;
