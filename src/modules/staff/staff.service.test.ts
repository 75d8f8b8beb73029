import assert from "node:assert/strict";
import { it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { actorWith, TEST_PASSWORD, useTestDeps } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import type { fixedClock } from "../../shared/clock.ts";

forEachDialect("staff, sessions and API keys", (dialect) => {
  const t = useTestDeps(dialect);
  const clock = () => t.clock as ReturnType<typeof fixedClock>;

  it("logs in with argon2id and turns the session token into an actor with its grants", async () => {
    const s = await t.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "hz.clerk",
      displayName: "王芳",
      password: TEST_PASSWORD,
      grants: [{ role: "outlet_clerk", areaCode: "330100" }],
    });
    const row = await t.database.db
      .selectFrom("staff")
      .selectAll()
      .where("id", "=", s.id)
      .executeTakeFirstOrThrow();
    assert.match(row.password_hash, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const session = await t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD });
    assert.match(session.token, /^sss_/);
    const stored = await t.database.db.selectFrom("sessions").selectAll().execute();
    assert.ok(!JSON.stringify(stored).includes(session.token.slice(4)), "token stored in clear");
    const actor = await t.deps.staff.authenticate(session.token);
    assert.deepEqual(actor.grants, [
      { role: "outlet_clerk", areaCode: "330100", outletId: null, employerId: null, institutionId: null },
    ]);
    assert.equal(actor.channel, "counter");
  });

  it("refuses a wrong password, and locks the account after five in a row", async () => {
    await assert.rejects(t.deps.staff.login({ username: "nobody", password: "x" }), {
      code: "INVALID_CREDENTIALS",
    });
    for (let i = 0; i < 4; i++) {
      await assert.rejects(t.deps.staff.login({ username: "hz.clerk", password: "wrong" }), {
        code: "INVALID_CREDENTIALS",
      });
    }
    await assert.rejects(t.deps.staff.login({ username: "hz.clerk", password: "wrong" }), {
      code: "ACCOUNT_LOCKED",
    });
    await assert.rejects(t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD }), {
      code: "ACCOUNT_LOCKED",
    });
    clock().advance(16 * 60_000);
    await t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD });
  });

  it("ends sessions after the idle timeout and the lifetime, and at logout", async () => {
    const { token } = await t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD });
    clock().advance(29 * 60_000);
    await t.deps.staff.authenticate(token);
    clock().advance(31 * 60_000);
    await assert.rejects(
      t.deps.staff.authenticate(token),
      (e: { code: string; details: { reason: string } }) =>
        e.code === "UNAUTHENTICATED" && e.details.reason === "session idle",
    );

    const second = await t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD });
    for (let i = 0; i < 20; i++) {
      clock().advance(25 * 60_000);
      if (i < 19) await t.deps.staff.authenticate(second.token);
    }
    await assert.rejects(
      t.deps.staff.authenticate(second.token),
      (e: { details: { reason: string } }) => e.details.reason === "session expired",
    );

    const third = await t.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD });
    const actor = await t.deps.staff.authenticate(third.token);
    await t.deps.staff.logout(actor, third.token);
    await assert.rejects(t.deps.staff.authenticate(third.token), { code: "UNAUTHENTICATED" });
  });

  it("lets an administrator grant only roles below it within its own area", async () => {
    const hzAdmin = await t.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "hz.admin",
      displayName: "杭州管理员",
      password: TEST_PASSWORD,
      grants: [{ role: "city_admin", areaCode: "330100" }],
    });
    const actor = {
      type: "staff" as const,
      id: hzAdmin.id,
      name: "hz.admin",
      channel: "counter" as const,
      grants: hzAdmin.grants,
    };
    const make = (role: "outlet_clerk" | "province_admin", areaCode: string, username: string) =>
      t.deps.staff.createAccount(actor, {
        username,
        displayName: username,
        password: TEST_PASSWORD,
        grants: [{ role, areaCode }],
      });
    await make("outlet_clerk", "330100", "hz.clerk2");
    await assert.rejects(make("outlet_clerk", "330200", "nb.clerk2"), { code: "AREA_FORBIDDEN" });
    await assert.rejects(make("province_admin", "330100", "hz.boss"), { code: "ROLE_OUT_OF_SCOPE" });
    await assert.rejects(make("outlet_clerk", "330100", "hz.clerk2"), { code: "STAFF_EXISTS" });
    await assert.rejects(
      t.deps.staff.createAccount(actor, {
        username: "weak",
        displayName: "w",
        password: "short1",
        grants: [{ role: "outlet_clerk", areaCode: "330100" }],
      }),
      { code: "WEAK_STAFF_PASSWORD" },
    );
    const listed = await t.deps.staff.list(actor);
    assert.deepEqual(listed.map((s) => s.username).sort(), ["hz.admin", "hz.clerk", "hz.clerk2"]);
  });

  it("disabling an account ends its sessions at once", async () => {
    const { token } = await t.deps.staff.login({ username: "hz.clerk2", password: TEST_PASSWORD });
    const clerk = await t.deps.staff.authenticate(token);
    await t.deps.staff.disable(SYSTEM_ACTOR, clerk.id);
    await assert.rejects(t.deps.staff.authenticate(token), { code: "UNAUTHENTICATED" });
    await assert.rejects(t.deps.staff.login({ username: "hz.clerk2", password: TEST_PASSWORD }), {
      code: "ACCOUNT_DISABLED",
    });
  });

  it("creates API keys shown once and stored hashed, and revokes them", async () => {
    const key = await t.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "杭州市第一人民医院 HIS",
      role: "medical_operator",
      areaCode: "330100",
    });
    assert.match(key.token, /^ssk_/);
    const rows = await t.database.db.selectFrom("api_keys").selectAll().execute();
    assert.ok(!JSON.stringify(rows).includes(key.token.slice(4)));
    const actor = await t.deps.staff.authenticate(key.token);
    assert.deepEqual(
      { type: actor.type, channel: actor.channel, grants: actor.grants },
      {
        type: "api_key",
        channel: "terminal",
        grants: [
          {
            role: "medical_operator",
            areaCode: "330100",
            outletId: null,
            employerId: null,
            institutionId: null,
          },
        ],
      },
    );
    await t.deps.staff.revokeApiKey(SYSTEM_ACTOR, key.id);
    await assert.rejects(t.deps.staff.authenticate(key.token), { code: "UNAUTHENTICATED" });
    await assert.rejects(t.deps.staff.authenticate("ssk_forged"), { code: "UNAUTHENTICATED" });
    await assert.rejects(t.deps.staff.authenticate("garbage"), { code: "UNAUTHENTICATED" });
  });
});

forEachDialect("an administrator's care of staff accounts", (dialect) => {
  const t = useTestDeps(dialect);
  const admin = actorWith("city_admin", "330100");

  it("unlocks an account locked by wrong passwords, resets a forgotten password (ending its sessions) and changes its grants, all audited without the password", async () => {
    const clerk = await t.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "care.clerk",
      displayName: "李静",
      password: TEST_PASSWORD,
      grants: [{ role: "outlet_clerk", areaCode: "330100" }],
    });
    await assert.rejects(t.deps.staff.unlock(admin, clerk.id), { code: "STAFF_NOT_LOCKED" });
    for (let i = 0; i < 5; i++)
      await t.deps.staff.login({ username: "care.clerk", password: "wrong" }).catch(() => undefined);
    await assert.rejects(t.deps.staff.login({ username: "care.clerk", password: TEST_PASSWORD }), {
      code: "ACCOUNT_LOCKED",
    });
    assert.ok(
      (await t.deps.staff.list(admin)).find((s) => s.id === clerk.id)?.lockedUntil,
      "shown as locked",
    );
    await t.deps.staff.unlock(admin, clerk.id);
    const { token } = await t.deps.staff.login({ username: "care.clerk", password: TEST_PASSWORD });

    await assert.rejects(t.deps.staff.resetPassword(admin, clerk.id, "short"), {
      code: "WEAK_STAFF_PASSWORD",
    });
    await t.deps.staff.resetPassword(admin, clerk.id, "Reset-by-admin-2026");
    await assert.rejects(t.deps.staff.authenticate(token), { code: "UNAUTHENTICATED" }, "sessions ended");
    await assert.rejects(t.deps.staff.login({ username: "care.clerk", password: TEST_PASSWORD }), {
      code: "INVALID_CREDENTIALS",
    });
    const session = await t.deps.staff.login({ username: "care.clerk", password: "Reset-by-admin-2026" });

    await assert.rejects(
      t.deps.staff.setGrants(admin, clerk.id, [{ role: "city_admin", areaCode: "330000" }]),
      (err: { code: string }) => ["ROLE_OUT_OF_SCOPE", "AREA_FORBIDDEN"].includes(err.code),
    );
    await t.deps.staff.setGrants(admin, clerk.id, [{ role: "auditor", areaCode: "330100" }]);
    await assert.rejects(t.deps.staff.authenticate(session.token), { code: "UNAUTHENTICATED" });
    const again = await t.deps.staff.login({ username: "care.clerk", password: "Reset-by-admin-2026" });
    assert.deepEqual(
      (await t.deps.staff.authenticate(again.token)).grants.map((g) => `${g.role}@${g.areaCode}`),
      ["auditor@330100"],
    );
    // Another city's administrator cannot touch a Hangzhou account.
    await assert.rejects(
      t.deps.staff.resetPassword(actorWith("city_admin", "330200"), clerk.id, "Another-pass-2026"),
      { code: "AREA_FORBIDDEN" },
    );
    const records = await t.database.db
      .selectFrom("audit_log")
      .select(["action", "after", "before"])
      .where("subject_id", "=", clerk.id)
      .execute();
    assert.deepEqual(
      records.map((r) => r.action).filter((a) => !a.startsWith("staff.login") && a !== "staff.create"),
      ["staff.unlock", "staff.password.reset", "staff.grants"],
    );
    assert.ok(!JSON.stringify(records).includes("Reset-by-admin-2026"), "no password in the audit log");
  });

  it("changes an account's grants one change at a time: eight changes at once leave exactly one set", async () => {
    const moved = await t.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "moved.clerk",
      displayName: "周敏",
      password: TEST_PASSWORD,
      grants: [{ role: "outlet_clerk", areaCode: "330100" }],
    });
    const roles = ["outlet_clerk", "bank_clerk", "auditor", "pharmacy_operator"] as const;
    await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        t.deps.staff.setGrants(admin, moved.id, [{ role: roles[i % roles.length], areaCode: "330100" }]),
      ),
    );
    const grants = await t.database.db
      .selectFrom("staff_roles")
      .select("role")
      .where("staff_id", "=", moved.id)
      .execute();
    assert.equal(grants.length, 1, `one grant, not a mixture: ${JSON.stringify(grants)}`);
    const changes = await t.database.db
      .selectFrom("audit_log")
      .select("before")
      .where("action", "=", "staff.grants")
      .where("subject_id", "=", moved.id)
      .execute();
    assert.equal(changes.length, 8, "each change audited, each seeing the one before it");
  });
});
