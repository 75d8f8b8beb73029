import { TEST_PASSWORD } from "../../../test/fixtures.ts";
import type { Sample, Walk } from "../../../test/permission-walk.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";

/** Sample requests for the staff module's routes, for the permission walk (test/permissions.test.ts). */
export function staffPermissionSamples(w: Walk): Record<string, Sample> {
  const { deps, fixed, ids, next } = w;
  return {
    "POST /api/v1/auth/logout": { prepare: fixed("/api/v1/auth/logout"), otherArea: "own" },
    "GET /api/v1/auth/me": { prepare: fixed("/api/v1/auth/me"), otherArea: "own" },
    "POST /api/v1/auth/password": {
      prepare: fixed("/api/v1/auth/password", {
        currentPassword: TEST_PASSWORD,
        newPassword: TEST_PASSWORD,
      }),
      otherArea: "own",
    },
    "GET /api/v1/staff": {
      prepare: fixed("/api/v1/staff"),
      otherArea: "filtered",
      hidden: "outlet_clerk.330100",
    },
    "POST /api/v1/staff": {
      prepare: async () => ({
        url: "/api/v1/staff",
        body: {
          username: `new.${next()}`,
          displayName: "新员工",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        },
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/staff/:id/disable": {
      prepare: async () => {
        const victim = await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `victim.${next()}`,
          displayName: "v",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        });
        return { url: `/api/v1/staff/${victim.id}/disable` };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/staff/:id/password-reset": {
      prepare: async () => {
        const who = await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `forgot.${next()}`,
          displayName: "f",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        });
        return { url: `/api/v1/staff/${who.id}/password-reset`, body: { password: "Another-pass-2026" } };
      },
      otherArea: "forbidden",
    },
    "POST /api/v1/staff/:id/unlock": {
      prepare: async () => {
        const who = await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `locked.${next()}`,
          displayName: "l",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        });
        // Locked by wrong passwords until long after the test clock's time.
        await deps.database.db
          .updateTable("staff")
          .set({ failed_logins: 5, locked_until: "2999-01-01T00:00:00.000Z" })
          .where("id", "=", who.id)
          .execute();
        return { url: `/api/v1/staff/${who.id}/unlock` };
      },
      otherArea: "forbidden",
    },
    "PUT /api/v1/staff/:id/grants": {
      prepare: async () => {
        const who = await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `moved.${next()}`,
          displayName: "m",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        });
        return {
          url: `/api/v1/staff/${who.id}/grants`,
          body: { grants: [{ role: "outlet_clerk", areaCode: "330100" }] },
        };
      },
      otherArea: "forbidden",
    },
    "GET /api/v1/api-keys": {
      prepare: fixed("/api/v1/api-keys"),
      otherArea: "filtered",
      hidden: ids.apiKey,
    },
    "POST /api/v1/api-keys": {
      prepare: fixed("/api/v1/api-keys", {
        name: "pharmacy pos",
        role: "pharmacy_operator",
        areaCode: "330100",
      }),
      otherArea: "forbidden",
    },
    "POST /api/v1/api-keys/:id/revoke": {
      prepare: fixed(`/api/v1/api-keys/${ids.apiKey}/revoke`),
      otherArea: "forbidden",
    },
  };
}
