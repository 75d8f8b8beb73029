import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { initialPinOf } from "../../../test/permission-walk.ts";

/** Sample requests for the kiosk module's routes, for the permission walk (test/permissions.test.ts). */
export function kioskPermissionSamples(w: Walk): Record<string, Sample> {
  return {
    "POST /api/v1/kiosk/pre-loss": {
      prepare: async () => {
        const c = await w.cardIn("active");
        return {
          url: "/api/v1/kiosk/pre-loss",
          body: { idNumber: c.idNumber, pin: initialPinOf(c.cardNumber) },
        };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/kiosk/sessions": {
      prepare: async () => {
        const c = await w.cardIn("active");
        return {
          url: "/api/v1/kiosk/sessions",
          body: { card: { cardNumber: c.cardNumber, pin: initialPinOf(c.cardNumber) } },
        };
      },
      otherArea: "forbidden",
    },
  };
}
