import assert from "node:assert/strict";
import { before, it } from "node:test";
import type { Access } from "../src/http/access.ts";
import { ROLES, type Role, SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { forEachDialect } from "./db.ts";
import { newIdNumber, seedAreas, TEST_PASSWORD, useTestApp } from "./fixtures.ts";

/** How a route treats a caller of the right role from another area. */
type OtherArea = "forbidden" | "filtered" | "own";

type Sample = {
  url: string;
  body?: unknown;
  otherArea: OtherArea;
  /** For filtered lists: the response must not contain this text for an outsider. */
  hidden?: string;
};

/**
 * Walks every route the app registers: each must be declared here with a sample request, so a new
 * route cannot ship without its permission check being exercised.
 */
forEachDialect("every route checks who calls it", (dialect) => {
  const ctx = useTestApp(dialect);
  const ids = {} as { person: string; apiKey: string; victim: string; idNumber: string };
  let samples: Record<string, Sample>;
  let uniq = 0;

  const scopeOf = (role: Role, home: "330100" | "320100") =>
    role === "ministry_admin"
      ? "000000"
      : role === "province_admin" || role === "auditor"
        ? `${home.slice(0, 2)}0000`
        : home;

  before(async () => {
    const { deps } = ctx;
    await seedAreas(deps);
    for (const role of ROLES) {
      for (const home of ["330100", "320100"] as const) {
        if (role === "ministry_admin" && home === "320100") continue;
        await deps.staff.createAccount(SYSTEM_ACTOR, {
          username: `${role}.${home}`,
          displayName: role,
          password: TEST_PASSWORD,
          grants: [{ role, areaCode: scopeOf(role, home) }],
        });
      }
    }
    ids.idNumber = newIdNumber();
    ids.person = (
      await deps.persons.register(SYSTEM_ACTOR, {
        idNumber: ids.idNumber,
        name: "测试人",
        ethnicity: "01",
        areaCode: "330100",
      })
    ).id;
    ids.apiKey = (
      await deps.staff.createApiKey(SYSTEM_ACTOR, {
        name: "his",
        role: "medical_operator",
        areaCode: "330100",
      })
    ).id;
    samples = {
      "POST /api/v1/auth/logout": { url: "/api/v1/auth/logout", otherArea: "own" },
      "GET /api/v1/auth/me": { url: "/api/v1/auth/me", otherArea: "own" },
      "POST /api/v1/auth/password": {
        url: "/api/v1/auth/password",
        body: { currentPassword: TEST_PASSWORD, newPassword: TEST_PASSWORD },
        otherArea: "own",
      },
      "GET /api/v1/staff": { url: "/api/v1/staff", otherArea: "filtered", hidden: "outlet_clerk.330100" },
      "POST /api/v1/staff": {
        url: "/api/v1/staff",
        body: () => ({
          username: `new.${++uniq}`,
          displayName: "新员工",
          password: TEST_PASSWORD,
          grants: [{ role: "outlet_clerk", areaCode: "330100" }],
        }),
        otherArea: "forbidden",
      } as unknown as Sample,
      "POST /api/v1/staff/:id/disable": { url: "/api/v1/staff/VICTIM/disable", otherArea: "forbidden" },
      "GET /api/v1/api-keys": { url: "/api/v1/api-keys", otherArea: "filtered", hidden: ids.apiKey },
      "POST /api/v1/api-keys": {
        url: "/api/v1/api-keys",
        body: { name: "pharmacy pos", role: "pharmacy_operator", areaCode: "330100" },
        otherArea: "forbidden",
      },
      "POST /api/v1/api-keys/:id/revoke": {
        url: `/api/v1/api-keys/${ids.apiKey}/revoke`,
        otherArea: "forbidden",
      },
      "GET /api/v1/areas": { url: "/api/v1/areas", otherArea: "own" },
      "POST /api/v1/areas": {
        url: "/api/v1/areas",
        body: () => ({
          code: ["330300", "330400", "330500"][uniq++ % 3],
          issuerId: `33${Date.now()}${uniq}`,
        }),
        otherArea: "forbidden",
      } as unknown as Sample,
      "GET /api/v1/areas/:code": { url: "/api/v1/areas/330100", otherArea: "forbidden" },
      "GET /api/v1/areas/:code/policy": {
        url: "/api/v1/areas/330100/policy?date=2026-12-01",
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code/policies": { url: "/api/v1/areas/330100/policies", otherArea: "forbidden" },
      "POST /api/v1/areas/:code/policies": {
        url: "/api/v1/areas/330100/policies",
        body: {
          effectiveFrom: "2027-01-01",
          policy: (await deps.areas.policyAt(null, "330100")).policy,
        },
        otherArea: "forbidden",
      },
      "GET /api/v1/areas/:code/outlets": { url: "/api/v1/areas/330100/outlets", otherArea: "forbidden" },
      "POST /api/v1/areas/:code/outlets": {
        url: "/api/v1/areas/330100/outlets",
        body: { name: "网点", kind: "service_outlet" },
        otherArea: "forbidden",
      },
      "POST /api/v1/persons": {
        url: "/api/v1/persons",
        body: () => ({ idNumber: newIdNumber(), name: "新人", ethnicity: "01", areaCode: "330100" }),
        otherArea: "forbidden",
      } as unknown as Sample,
      "GET /api/v1/persons": { url: `/api/v1/persons?idNumber=${ids.idNumber}`, otherArea: "forbidden" },
      "GET /api/v1/persons/:id": { url: `/api/v1/persons/${ids.person}`, otherArea: "forbidden" },
      "PATCH /api/v1/persons/:id": {
        url: `/api/v1/persons/${ids.person}`,
        body: "PATCH_PERSON",
        otherArea: "forbidden",
      },
      "POST /api/v1/persons/:id/reveal-id-number": {
        url: `/api/v1/persons/${ids.person}/reveal-id-number`,
        body: { reason: "核对身份" },
        otherArea: "forbidden",
      },
      "GET /api/v1/audit": {
        url: "/api/v1/audit?subjectType=person",
        otherArea: "filtered",
        hidden: ids.person,
      },
      "GET /api/v1/audit/verification": { url: "/api/v1/audit/verification", otherArea: "own" },
    };
  });

  async function login(username: string): Promise<string> {
    const res = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/auth/login",
      payload: { username, password: TEST_PASSWORD },
    });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().token;
  }

  async function call(method: string, sample: Sample, token?: string) {
    let url = sample.url;
    if (url.includes("VICTIM")) {
      const victim = await ctx.deps.staff.createAccount(SYSTEM_ACTOR, {
        username: `victim.${++uniq}`,
        displayName: "v",
        password: TEST_PASSWORD,
        grants: [{ role: "outlet_clerk", areaCode: "330100" }],
      });
      url = url.replace("VICTIM", victim.id);
    }
    let body = typeof sample.body === "function" ? (sample.body as () => unknown)() : sample.body;
    if (body === "PATCH_PERSON")
      body = {
        version: (await ctx.deps.persons.get(SYSTEM_ACTOR, ids.person)).version,
        phone: "13800000000",
      };
    return ctx.app.inject({
      method: method as "GET",
      url,
      headers: token ? { authorization: `Bearer ${token}` } : {},
      ...(body === undefined ? {} : { payload: body as object }),
    });
  }

  it("every /api route is in the sample table", () => {
    const routes = ctx.app.routeTable.filter((r) => r.access !== "public").map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(
      routes.filter((r) => !(r in samples)),
      [],
    );
    assert.deepEqual(
      Object.keys(samples).filter((k) => !routes.includes(k)),
      [],
    );
  });

  it("public routes are only login", () => {
    assert.deepEqual(
      ctx.app.routeTable.filter((r) => r.access === "public").map((r) => `${r.method} ${r.url}`),
      ["POST /api/v1/auth/login"],
    );
  });

  it("rejects unauthenticated callers, wrong roles and other areas; lets the right caller through", async () => {
    for (const route of ctx.app.routeTable) {
      if (route.access === "public") continue;
      const key = `${route.method} ${route.url}`;
      const sample = samples[key];
      const access = route.access as Exclude<Access, "public">;

      const anon = await call(route.method, sample);
      assert.equal(anon.statusCode, 401, `${key} unauthenticated: ${anon.body}`);
      assert.equal(anon.json().code, "UNAUTHENTICATED");
      const forged = await call(route.method, sample, "sss_not-a-real-session");
      assert.equal(forged.statusCode, 401, `${key} forged token`);

      for (const role of ROLES.filter((r) => !access.roles.includes(r))) {
        const res = await call(route.method, sample, await login(`${role}.330100`));
        assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
        assert.equal(res.json().code, "FORBIDDEN", `${key} as ${role}`);
      }

      const role = access.roles.find((r) => r !== "ministry_admin");
      if (role) {
        const outsider = await call(route.method, sample, await login(`${role}.320100`));
        if (sample.otherArea === "forbidden") {
          assert.equal(outsider.statusCode, 403, `${key} as ${role} of another area: ${outsider.body}`);
          assert.equal(outsider.json().code, "AREA_FORBIDDEN", key);
        } else if (sample.otherArea === "filtered") {
          assert.equal(outsider.statusCode, 200, `${key} filtered: ${outsider.body}`);
          assert.ok(!outsider.body.includes(sample.hidden!), `${key} shows another area's data`);
        } else {
          assert.ok(outsider.statusCode < 300, `${key} own data: ${outsider.body}`);
        }
      }

      const insider = await call(route.method, sample, await login(`${role ?? "ministry_admin"}.330100`));
      assert.ok(
        insider.statusCode >= 200 && insider.statusCode < 300,
        `${key} as ${role} of the area: ${insider.statusCode} ${insider.body}`,
      );
      if (sample.hidden) assert.ok(insider.body.includes(sample.hidden), `${key} insider sees the data`);
    }
  });
});
