import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the keys module's routes, for the permission walk (test/permissions.test.ts). */
export function keysPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, fixed } = w;
  // Each ceremony a sample opens makes another key of Hangzhou's: a version not used before.
  let version = 10;
  const openCeremony = async () =>
    (
      await deps.keyCeremonies.open(SYSTEM_ACTOR, {
        kind: "transport",
        party: "factory",
        areaCode: "330100",
        version: ++version,
      })
    ).ceremonyId;
  return {
    "GET /api/v1/keys": {
      prepare: fixed("/api/v1/keys"),
      // Hangzhou's keys are not listed for another province's staff.
      otherArea: "filtered",
      hidden: '"areaCode":"330100"',
    },
    "GET /api/v1/key-ceremonies": {
      prepare: async () => {
        await openCeremony();
        return { url: "/api/v1/key-ceremonies" };
      },
      otherArea: "filtered",
      hidden: '"areaCode":"330100"',
    },
    "POST /api/v1/key-ceremonies": {
      prepare: async () => ({
        url: "/api/v1/key-ceremonies",
        body: { kind: "local", areaCode: "330100", version: ++version },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/key-ceremonies/:id/components": {
      prepare: async () => ({
        url: `/api/v1/key-ceremonies/${await openCeremony()}/components`,
        body: { component: "0123456789ABCDEF0123456789ABCDEF" },
      }),
      otherArea: "notFound",
    },
    "POST /api/v1/key-ceremonies/:id/cancel": {
      prepare: async () => ({ url: `/api/v1/key-ceremonies/${await openCeremony()}/cancel` }),
      otherArea: "notFound",
    },
  };
}
