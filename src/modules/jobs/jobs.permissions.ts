import { counterOnly, permissionsOf } from "../../shared/permissions.ts";

/** Who may do what in the jobs module, through which channel (one slice of the action × channel × role matrix). */
export const JOB_PERMISSIONS = permissionsOf("jobs", {
  // The periodic jobs act on every area: the ministry runs them, auditors and the ministry watch them.
  read: {
    summary: "the periodic jobs, their schedules and runs",
    channels: counterOnly(["auditor", "ministry_admin"]),
  },
  run: {
    summary: "run a periodic job now for its current period",
    channels: counterOnly(["ministry_admin"]),
  },
});
