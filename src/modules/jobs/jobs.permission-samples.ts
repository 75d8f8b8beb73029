import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the jobs module's routes, for the permission walk (test/permissions.test.ts). */
export function jobsPermissionSamples(w: Walk): Record<string, Sample> {
  const { fixed } = w;
  return {
    "GET /api/v1/jobs": { prepare: fixed("/api/v1/jobs"), otherArea: "own" },
    "POST /api/v1/jobs/:name/runs": {
      prepare: fixed("/api/v1/jobs/audit.checkpoint/runs"),
      otherArea: "own",
    },
  };
}
