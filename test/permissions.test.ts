import assert from "node:assert/strict";
import { before, it } from "node:test";
import type { Deps } from "../src/deps.ts";
import type { Access } from "../src/http/access.ts";
import { areasPermissionSamples } from "../src/modules/areas/areas.permission-samples.ts";
import { auditPermissionSamples } from "../src/modules/audit/audit.permission-samples.ts";
import { benefitsPermissionSamples } from "../src/modules/benefits/benefits.permission-samples.ts";
import { cardsPermissionSamples } from "../src/modules/cards/cards.permission-samples.ts";
import { certificatesPermissionSamples } from "../src/modules/certificates/certificates.permission-samples.ts";
import { chipPermissionSamples } from "../src/modules/chip/chip.permission-samples.ts";
import { credentialsPermissionSamples } from "../src/modules/credentials/credentials.permission-samples.ts";
import { ecardPermissionSamples } from "../src/modules/ecard/ecard.permission-samples.ts";
import { employersPermissionSamples } from "../src/modules/employers/employers.permission-samples.ts";
import { enrolmentPermissionSamples } from "../src/modules/enrolment/enrolment.permission-samples.ts";
import { holderPermissionSamples } from "../src/modules/holder/holder.permission-samples.ts";
import { jobsPermissionSamples } from "../src/modules/jobs/jobs.permission-samples.ts";
import { keysPermissionSamples } from "../src/modules/keys/keys.permission-samples.ts";
import { kioskPermissionSamples } from "../src/modules/kiosk/kiosk.permission-samples.ts";
import { medicalPermissionSamples } from "../src/modules/medical/medical.permission-samples.ts";
import { paymentsPermissionSamples } from "../src/modules/payments/payments.permission-samples.ts";
import { personsPermissionSamples } from "../src/modules/persons/persons.permission-samples.ts";
import { phonePermissionSamples } from "../src/modules/phone/phone.permission-samples.ts";
import { staffPermissionSamples } from "../src/modules/staff/staff.permission-samples.ts";
import { ALL_PERMISSIONS } from "../src/permissions.ts";
import { type Actor, KEY_CHANNELS, ROLES, type Role, SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { MATRIX_CHANNELS } from "../src/shared/permissions.ts";
import { forEachDialect } from "./db.ts";
import { acceptingFaceVerifier, useTestApp } from "./fixtures.ts";
import { type Request, type Sample, setUpWalk, type Walk } from "./permission-walk.ts";

/**
 * Actions no route declares (the CLI and the production line call them): each cell calls the
 * service as a principal of that channel and role.
 */
const SERVICE_ONLY: Record<string, (deps: Deps, actor: Actor) => Promise<unknown>> = {
  "chip.personalise": (deps, actor) =>
    deps.database.db
      .transaction()
      .execute((trx) =>
        deps.personalisation.forProduction(
          actor,
          trx,
          [{ cardIdCode: "330100D156000005000000000000000", cardNumber: "A00000000" } as never],
          { initialPassword: { rule: "card_number_last6" } },
        ),
      ),
  "chip.terminals": (deps, actor) =>
    deps.terminals.register(actor, { terminalNo: "not-a-terminal", areaCode: "330100", name: "t" }),
};

forEachDialect("every route checks who calls it", (dialect) => {
  const ctx = useTestApp(dialect, { face: acceptingFaceVerifier });
  let w: Walk;
  let samples: Record<string, Sample>;
  before(async () => {
    w = await setUpWalk(ctx);
    samples = {
      ...staffPermissionSamples(w),
      ...areasPermissionSamples(w),
      ...cardsPermissionSamples(w),
      ...personsPermissionSamples(w),
      ...auditPermissionSamples(w),
      ...benefitsPermissionSamples(w),
      ...jobsPermissionSamples(w),
      ...keysPermissionSamples(w),
      ...credentialsPermissionSamples(w),
      ...chipPermissionSamples(w),
      ...employersPermissionSamples(w),
      ...certificatesPermissionSamples(w),
      ...kioskPermissionSamples(w),
      ...paymentsPermissionSamples(w),
      ...phonePermissionSamples(w),
      ...enrolmentPermissionSamples(w),
      ...holderPermissionSamples(w),
      ...ecardPermissionSamples(w),
      ...medicalPermissionSamples(w),
    };
  });
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

  it("public routes are only the logins, the server's time, the verification of certificates and the bank's signed notifications", () => {
    assert.deepEqual(
      ctx.app.routeTable.filter((r) => r.access === "public").map((r) => `${r.method} ${r.url}`),
      [
        "GET /api/v1/time",
        "POST /api/v1/auth/login",
        "POST /api/v1/payments/notifications",
        "POST /api/v1/holder/login",
        "POST /api/v1/holder/login/ecard",
        "GET /api/v1/signing-keys",
        "GET /api/v1/certificate-keys/:areaCode",
        "GET /api/v1/certificates/:serial/verification",
      ],
    );
  });

  // One case per route (a subtest each: a route that fails does not hide the others).
  it("rejects unauthenticated callers, wrong roles and other areas; lets the right caller through", async (t) => {
    for (const route of ctx.app.routeTable) {
      if (route.access === "public") continue;
      const key = `${route.method} ${route.url}`;
      await t.test(key, async () => {
        const sample = samples[key];
        const request = await sample.prepare();

        const anon = await w.call(route.method, request);
        assert.equal(anon.statusCode, 401, `${key} unauthenticated: ${anon.body}`);
        assert.equal(anon.json().code, "UNAUTHENTICATED");
        const forged = await w.call(route.method, request, "sss_not-a-real-session");
        assert.equal(forged.statusCode, 401, `${key} forged token`);

        if (route.access === "holder") {
          // The holder's own routes: no staff role may call them, another holder finds nothing of theirs.
          for (const role of ROLES) {
            const res = await w.call(route.method, request, await w.login(`${role}.330100`));
            assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          }
          const other = await w.call(route.method, request, await w.holderLogin());
          if (sample.otherArea === "notFound")
            assert.equal(other.statusCode, 404, `${key} as another holder: ${other.body}`);
          else if (sample.otherArea === "forbidden")
            // Another holder acts on their own e-card, whose state does not allow it.
            assert.ok(
              other.statusCode >= 400 && other.statusCode < 500,
              `${key} as another holder: ${other.body}`,
            );
          else assert.ok(other.statusCode < 300, `${key} as another holder, own data: ${other.body}`);
          const own = await sample.prepare();
          const res = await w.call(route.method, own, own.holderToken);
          assert.ok(
            res.statusCode >= 200 && res.statusCode < 300,
            `${key} as the holder: ${res.statusCode} ${res.body}`,
          );
          return;
        }
        if (route.access === "channel") {
          // A channel's routes: no staff role nor holder may call them; a suspended channel is refused.
          for (const role of ROLES) {
            const res = await w.call(route.method, request, await w.login(`${role}.330100`));
            assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          }
          const asHolderToo = await w.call(route.method, request, await w.holderLogin());
          assert.equal(asHolderToo.statusCode, 403, `${key} as a holder`);
          const suspended = await w.call(route.method, request, w.channels.suspended);
          assert.equal(suspended.statusCode, 403, `${key} as a suspended channel: ${suspended.body}`);
          assert.equal(suspended.json().code, "CHANNEL_SUSPENDED");
          const own = await sample.prepare();
          const res = await w.call(route.method, own, w.channels.active);
          assert.ok(
            res.statusCode >= 200 && res.statusCode < 300,
            `${key} as the channel: ${res.statusCode} ${res.body}`,
          );
          return;
        }
        const access = route.access as Exclude<Access, "public" | "holder" | "channel">;

        // Staff sessions are on the counter; the other channels are walked cell by cell below.
        const counterRoles = access.permission.channels.counter ?? [];
        for (const role of ROLES.filter((r) => !counterRoles.includes(r))) {
          const res = await w.call(route.method, request, await w.login(`${role}.330100`));
          assert.equal(res.statusCode, 403, `${key} as ${role}: ${res.body}`);
          assert.equal(res.json().code, "FORBIDDEN", `${key} as ${role}`);
        }

        const role = counterRoles.find((r) => r !== "ministry_admin");
        if (role) {
          const outsider = await w.call(route.method, request, await w.login(`${role}.320100`));
          if (sample.otherArea === "forbidden") {
            assert.equal(outsider.statusCode, 403, `${key} as ${role} of another area: ${outsider.body}`);
            assert.ok(
              ["AREA_FORBIDDEN", "NOT_PARTNER_BANK"].includes(outsider.json().code),
              `${key}: ${outsider.body}`,
            );
          } else if (sample.otherArea === "notFound") {
            assert.equal(outsider.statusCode, 404, `${key} belongs to another caller: ${outsider.body}`);
          } else if (sample.otherArea === "filtered") {
            assert.equal(outsider.statusCode, 200, `${key} filtered: ${outsider.body}`);
            assert.ok(!outsider.body.includes(sample.hidden!), `${key} shows another area's data`);
          } else {
            assert.ok(outsider.statusCode < 300, `${key} own data: ${outsider.body}`);
          }
        }

        const insider = await w.call(
          route.method,
          await sample.prepare(),
          await w.login(`${role ?? "ministry_admin"}.330100`),
        );
        assert.ok(
          insider.statusCode >= 200 && insider.statusCode < 300,
          `${key} as ${role} of the area: ${insider.statusCode} ${insider.body}`,
        );
        if (sample.hidden) assert.ok(insider.body.includes(sample.hidden), `${key} insider sees the data`);
      });
    }
  });

  /** API keys of every role in Hangzhou on every channel a key may serve. */
  const keyTokens = new Map<string, string>();
  before(async () => {
    const { deps } = ctx;
    const { institution, employer } = w.home;
    for (const channel of KEY_CHANNELS)
      for (const role of ROLES) {
        const key = await deps.staff.createApiKey(SYSTEM_ACTOR, {
          name: `${channel} ${role}`,
          role,
          areaCode: w.scopeOf(role, "330100"),
          channel,
          employerId: role === "employer_operator" ? employer : null,
          institutionId: role === "medical_operator" || role === "pharmacy_operator" ? institution : null,
        });
        keyTokens.set(`${channel} ${role}`, key.token);
      }
  });

  /** Each route's sample request, prepared once for the cells. */
  const cellRequests = new Map<string, Request>();
  async function cellRequest(key: string): Promise<Request> {
    let request = cellRequests.get(key);
    if (!request) {
      request = await samples[key].prepare();
      cellRequests.set(key, request);
    }
    return request;
  }
  const counterTokens = new Map<Role, string>();

  // The matrix of action × channel × role, one case per cell: a principal on that channel holding
  // that role gets past the check on every route of the action exactly when the matrix says so.
  for (const permission of ALL_PERMISSIONS)
    for (const channel of MATRIX_CHANNELS)
      for (const role of ROLES) {
        const allowed = (permission.channels[channel] ?? []).includes(role);
        it(`${permission.action} · ${channel} · ${role}: ${allowed ? "allowed" : "refused"}`, async () => {
          const routes = ctx.app.routeTable.filter(
            (r) => typeof r.access === "object" && r.access.permission.action === permission.action,
          );
          const direct = SERVICE_ONLY[permission.action];
          assert.ok(routes.length > 0 || direct, "a route declares it, or it is listed as service-only");
          if (direct) {
            const actor: Actor = {
              type: channel === "counter" ? "staff" : "api_key",
              id: `${channel} ${role}`,
              name: role,
              channel,
              grants: [{ role, areaCode: w.scopeOf(role, "330100"), outletId: null }],
            };
            const outcome = await direct(ctx.deps, actor).then(
              () => "done",
              (err: { code?: string }) => err.code,
            );
            if (allowed) assert.notEqual(outcome, "FORBIDDEN");
            else assert.equal(outcome, "FORBIDDEN");
          }
          for (const route of routes) {
            const key = `${route.method} ${route.url}`;
            let token: string;
            if (channel !== "counter") token = keyTokens.get(`${channel} ${role}`)!;
            else {
              // Signing out ends the session: the staff's own routes get a fresh one.
              if (!counterTokens.has(role) || permission.action.startsWith("staff."))
                counterTokens.set(role, await w.login(`${role}.330100`));
              token = counterTokens.get(role)!;
            }
            const res = await w.call(route.method, await cellRequest(key), token);
            const code = res.statusCode === 403 ? res.json().code : undefined;
            if (allowed) {
              assert.notEqual(res.statusCode, 401, `${key}: ${res.body}`);
              assert.notEqual(code, "FORBIDDEN", `${key}: ${res.body}`);
            } else {
              assert.equal(res.statusCode, 403, `${key}: ${res.statusCode} ${res.body}`);
              assert.equal(code, "FORBIDDEN", key);
            }
          }
        });
      }
});
