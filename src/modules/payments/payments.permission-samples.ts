import type { Sample, Walk } from "../../../test/permission-walk.ts";

/** Sample requests for the payments module's routes, for the permission walk (test/permissions.test.ts). */
export function paymentsPermissionSamples(w: Walk): Record<string, Sample> {
  const body = { month: "2026-10", gradePercent: 100 };
  return {
    "POST /api/v1/holder/payments": {
      prepare: w.asHolder(() => ({ url: "/api/v1/holder/payments", body })),
      otherArea: "own",
    },
    "GET /api/v1/holder/payments/:orderNo": {
      prepare: async () => {
        const holderToken = await w.holderLogin();
        const order = await w.call("POST", { url: "/api/v1/holder/payments", body }, holderToken);
        return { url: `/api/v1/holder/payments/${order.json().orderNo}`, holderToken };
      },
      otherArea: "notFound",
    },
  };
}
