import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import { type Actor, type Channel, rolesOn } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { StaffContext } from "./staff.context.ts";
import { ARGON2 } from "./staff.context.ts";
import { afterFailedLogin, isStrongStaffPassword } from "./staff.rules.ts";

/** Signing in and out, who is signed in, turning a token into its principal, one's own password. */
export function staffSessions(ctx: StaffContext) {
  const {
    deps,
    db,
    staff,
    audit,
    clock,
    view,
    checkSession,
    actorForSession,
    actorForApiKey,
    tokenHash,
    newToken,
    cache,
  } = ctx;
  return {
    /** Password login; five wrong passwords in a row lock the account for 15 minutes. */
    async login(input: { username: string; password: string; channel?: Channel }) {
      const row = await staff.byUsername(db, input.username);
      if (!row) {
        // Hash anyway, so timing does not tell which user names exist.
        await argon2Hash(input.password, ARGON2);
        throw new DomainError("INVALID_CREDENTIALS");
      }
      const ok = await argon2Verify(row.password_hash, input.password);
      const now = clock.now();
      if (row.locked_until && row.locked_until > now.toISOString()) {
        throw new DomainError("ACCOUNT_LOCKED", { until: row.locked_until });
      }
      if (row.status !== "active") throw new DomainError("ACCOUNT_DISABLED");
      const actor: Actor = {
        type: "staff",
        id: row.id,
        name: row.username,
        channel: input.channel ?? "counter",
        grants: [],
      };
      if (!ok) {
        const next = afterFailedLogin(row.failed_logins, now);
        await db.transaction().execute(async (trx) => {
          await staff.setLoginState(trx, row.id, next.failures, next.lockedUntil);
          await audit.record(trx, actor, undefined, {
            action: next.lockedUntil ? "staff.login.locked" : "staff.login.failed",
            subjectType: "staff",
            subjectId: row.id,
            after: { failures: next.failures, lockedUntil: next.lockedUntil },
          });
        });
        if (next.lockedUntil) throw new DomainError("ACCOUNT_LOCKED", { until: next.lockedUntil });
        throw new DomainError("INVALID_CREDENTIALS");
      }
      const token = newToken("sss");
      const expiresAt = new Date(now.getTime() + deps.sessionTtlMinutes * 60_000).toISOString();
      await db.transaction().execute(async (trx) => {
        await staff.setLoginState(trx, row.id, 0, null);
        await staff.insertSession(trx, {
          token_hash: tokenHash(token),
          staff_id: row.id,
          channel: actor.channel,
          created_at: now.toISOString(),
          expires_at: expiresAt,
          last_seen_at: now.toISOString(),
          revoked_at: null,
        });
        await audit.record(trx, actor, undefined, {
          action: "staff.login",
          subjectType: "staff",
          subjectId: row.id,
        });
      });
      return { token, expiresAt, idleMinutes: deps.sessionIdleMinutes, staff: await view(row) };
    },

    async logout(actor: Actor, token: string) {
      await db.transaction().execute(async (trx) => {
        await staff.revokeSession(trx, tokenHash(token), clock.now().toISOString());
        cache.delete(token);
        await audit.record(trx, actor, undefined, {
          action: "staff.logout",
          subjectType: "staff",
          subjectId: actor.id,
        });
      });
    },

    async me(actor: Actor) {
      // The actions this principal may take on its channel (some area of its grants), from the matrix:
      // the web pages show what these allow and nothing else.
      const actions = (deps.permissions ?? [])
        .filter((p) => rolesOn(p, actor).some((role) => actor.grants.some((g) => g.role === role)))
        .map((p) => p.action);
      if (actor.type !== "staff")
        return { type: actor.type, id: actor.id, name: actor.name, grants: [...actor.grants], actions };
      const row = await staff.byId(db, actor.id);
      if (!row) throw new DomainError("STAFF_NOT_FOUND");
      return { type: actor.type, ...(await view(row)), actions };
    },

    /** Turns a bearer token into the actor it stands for: a session (`sss_`) or an API key (`ssk_`). */
    async authenticate(token: string): Promise<Actor> {
      const now = clock.now();
      const cached = cache.get(token, now.getTime());
      if (cached) {
        if (cached.session) await checkSession(token, cached.session, now);
        return cached.actor;
      }
      if (token.startsWith("sss_")) return actorForSession(token, now);
      if (token.startsWith("ssk_")) return actorForApiKey(token, now);
      throw new DomainError("UNAUTHENTICATED");
    },

    async changeOwnPassword(actor: Actor, input: { currentPassword: string; newPassword: string }) {
      if (actor.type !== "staff") throw new DomainError("FORBIDDEN");
      const row = await staff.byId(db, actor.id);
      if (!row || !(await argon2Verify(row.password_hash, input.currentPassword))) {
        throw new DomainError("INVALID_CREDENTIALS");
      }
      if (!isStrongStaffPassword(input.newPassword)) throw new DomainError("WEAK_STAFF_PASSWORD");
      const newHash = await argon2Hash(input.newPassword, ARGON2);
      await db.transaction().execute(async (trx) => {
        await staff.setPassword(trx, actor.id, newHash);
        await audit.record(trx, actor, undefined, {
          action: "staff.password.change",
          subjectType: "staff",
          subjectId: actor.id,
        });
      });
    },
  };
}
