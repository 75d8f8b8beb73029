import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the keys module's routes, for the permission walk (test/permissions.test.ts). */
export function keysPermissionSamples(w: Walk): Record<string, Sample> {
  const { fixed } = w;
  return {
    "GET /api/v1/keys": {
      prepare: fixed("/api/v1/keys"),
      // Hangzhou's keys are not listed for another province's staff.
      otherArea: "filtered",
      hidden: '"areaCode":"330100"',
    },
  };
}
