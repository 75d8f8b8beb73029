import { randomUUID } from "node:crypto";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the phone lines' routes, for the permission walk (test/permissions.test.ts). */
export function phonePermissionSamples(w: Walk): Record<string, Sample> {
  /** A call on Hangzhou's 12333 line, as its switch started it. */
  const call = async () => {
    const callId = randomUUID();
    const line = await w.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "杭州 12333",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "phone",
    });
    const actor = await w.deps.staff.authenticate(line.token);
    await w.deps.phone.start(actor, { callId, line: "12333", caller: "13800000000" });
    return callId;
  };
  return {
    "POST /api/v1/ivr/calls": {
      prepare: async () => ({
        url: "/api/v1/ivr/calls",
        body: { callId: randomUUID(), line: "12333", caller: "13800000000" },
      }),
      otherArea: "own",
    },
    "POST /api/v1/ivr/calls/:callId/events": {
      prepare: async () => ({
        url: `/api/v1/ivr/calls/${await call()}/events`,
        body: { event: "digits", digits: "5" },
      }),
      otherArea: "notFound",
    },
    "GET /api/v1/ivr/calls/:callId/transcript": {
      prepare: async () => ({ url: `/api/v1/ivr/calls/${await call()}/transcript` }),
      otherArea: "notFound",
    },
  };
}
