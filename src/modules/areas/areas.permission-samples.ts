import { randomInt } from "node:crypto";
import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the areas module's routes, for the permission walk (test/permissions.test.ts). */
export function areasPermissionSamples(w: Walk): Record<string, Sample> {
  const { fixed, next, policy } = w;
  return {
    "GET /api/v1/areas": { prepare: fixed("/api/v1/areas"), otherArea: "own" },
    "POST /api/v1/areas": {
      prepare: async () => ({
        url: "/api/v1/areas",
        body: {
          code: ["330300", "330400", "330500"][next() % 3],
          issuerId: `33${randomInt(1e9, 1e10)}${next()}`,
        },
      }),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code": { prepare: fixed("/api/v1/areas/330100"), otherArea: "forbidden" },
    "GET /api/v1/areas/:code/policy": {
      prepare: fixed("/api/v1/areas/330100/policy?date=2026-12-01"),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code/policies": {
      prepare: fixed("/api/v1/areas/330100/policies"),
      otherArea: "forbidden",
    },
    "POST /api/v1/areas/:code/policies": {
      prepare: fixed("/api/v1/areas/330100/policies", { effectiveFrom: "2027-01-01", policy }),
      otherArea: "forbidden",
    },
    "GET /api/v1/areas/:code/outlets": {
      prepare: fixed("/api/v1/areas/330100/outlets"),
      otherArea: "forbidden",
    },
    "POST /api/v1/areas/:code/outlets": {
      prepare: fixed("/api/v1/areas/330100/outlets", { name: "网点", kind: "service_outlet" }),
      otherArea: "forbidden",
    },
  };
}
