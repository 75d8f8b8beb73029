import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the audit module's routes, for the permission walk (test/permissions.test.ts). */
export function auditPermissionSamples(w: Walk): Record<string, Sample> {
  const { fixed, ids } = w;
  return {
    "GET /api/v1/audit": {
      prepare: fixed("/api/v1/audit?subjectType=person"),
      otherArea: "filtered",
      hidden: ids.person,
    },
    "GET /api/v1/audit/verification": { prepare: fixed("/api/v1/audit/verification"), otherArea: "own" },
  };
}
