import { randomBytes, randomUUID } from "node:crypto";
import { hash as argon2Hash, verify as argon2Verify } from "@node-rs/argon2";
import type { Kysely } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import {
  type Actor,
  areaCovers,
  authorize,
  type Channel,
  canGrant,
  coveredPrefixes,
  type Grant,
  INSTITUTION_ROLES,
  KEY_CHANNELS,
  NATIONAL,
  type Role,
  rolesOn,
  SYSTEM_ACTOR,
} from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { hmacSha256Hex, secretKey } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { Permission } from "../../shared/permissions.ts";
import type { AreasRepository } from "../areas/areas.repository.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { EmployersRepository } from "../employers/employers.repository.ts";
import { createAuthCache } from "./auth-cache.ts";
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";
import type { StaffRepository } from "./staff.repository.ts";
import {
  afterFailedLogin,
  isStrongStaffPassword,
  LAST_SEEN_RESOLUTION_MS,
  sessionProblem,
} from "./staff.rules.ts";

/** Who may manage staff and API keys; routes declare the same lists. */
export { STAFF_PERMISSIONS };

// argon2id, OWASP's second recommended setting: 19 MiB, 2 passes, 1 lane (about 10 ms here).
const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export type GrantInput = {
  role: Role;
  areaCode: string;
  outletId?: string | null;
  employerId?: string | null;
  institutionId?: string | null;
};

export type StaffView = Readonly<{
  id: string;
  username: string;
  displayName: string;
  status: "active" | "disabled";
  grants: Grant[];
  createdAt: string;
}>;

/** Staff accounts, logins and sessions, API keys, and turning a bearer token into an actor. */
export function createStaffService(deps: {
  /** Every permission of the matrix (src/permissions.ts), to tell a principal what it may do. */
  permissions?: readonly Permission[];
  db: Kysely<Database>;
  staff: StaffRepository;
  areas: AreasRepository;
  employers: EmployersRepository;
  /** The designated institution with this id (for operators' grants). */
  institutionArea: (q: Kysely<Database>, id: string) => Promise<string | undefined>;
  audit: AuditService;
  clock: Clock;
  tokenKey: Buffer;
  sessionTtlMinutes: number;
  sessionIdleMinutes: number;
  /** How long an authenticated token is remembered in this process (0: not at all). */
  authCacheSeconds: number;
}) {
  const { db, staff, areas, audit, clock } = deps;
  const tokenKey = secretKey(deps.tokenKey);

  /** Tokens are stored only as a keyed hash: a stolen table gives no usable token. */
  const tokenHash = (token: string) => hmacSha256Hex(tokenKey, token);
  const newToken = (prefix: string) => `${prefix}_${randomBytes(32).toString("base64url")}`;

  const toGrant = (g: Database["staff_roles"]): Grant => ({
    role: g.role as Role,
    areaCode: g.area_code,
    outletId: g.outlet_id,
    employerId: g.employer_id,
    institutionId: g.institution_id,
  });

  async function view(row: Database["staff"]): Promise<StaffView> {
    const grants = await staff.grants(db, [row.id]);
    return {
      id: row.id,
      username: row.username,
      displayName: row.display_name,
      status: row.status,
      grants: grants.map(toGrant),
      createdAt: row.created_at,
    };
  }

  async function checkGrants(actor: Actor, grants: readonly GrantInput[]) {
    for (const g of grants) {
      authorize(actor, STAFF_PERMISSIONS.manage, g.areaCode);
      if (!canGrant(actor, g.role, g.areaCode)) throw new DomainError("ROLE_OUT_OF_SCOPE");
      if (!(await areas.get(db, g.areaCode))) throw new DomainError("AREA_NOT_FOUND", { code: g.areaCode });
      if (g.role === "employer_operator") {
        const employer = g.employerId ? await deps.employers.byId(db, g.employerId) : undefined;
        if (!employer || !areaCovers(g.areaCode, employer.area_code))
          throw new DomainError("EMPLOYER_NOT_FOUND", { id: g.employerId ?? null });
      } else if (g.employerId) {
        throw new DomainError("VALIDATION_FAILED", { summary: "employerId: only for employer_operator" });
      }
      if (g.institutionId) {
        if (!(INSTITUTION_ROLES as readonly Role[]).includes(g.role))
          throw new DomainError("VALIDATION_FAILED", {
            summary: "institutionId: only for medical_operator and pharmacy_operator",
          });
        const area = await deps.institutionArea(db, g.institutionId);
        if (!area || !areaCovers(g.areaCode, area))
          throw new DomainError("INSTITUTION_NOT_FOUND", { id: g.institutionId });
      }
      if (g.outletId) {
        const outlet = await areas.outlet(db, g.outletId);
        if (!outlet || outlet.area_code !== g.areaCode)
          throw new DomainError("OUTLET_NOT_FOUND", { id: g.outletId });
      }
    }
  }

  async function createAccount(
    actor: Actor,
    input: { username: string; displayName: string; password: string; grants: GrantInput[] },
  ): Promise<StaffView> {
    if (!isStrongStaffPassword(input.password)) throw new DomainError("WEAK_STAFF_PASSWORD");
    await checkGrants(actor, input.grants);
    const passwordHash = await argon2Hash(input.password, ARGON2);
    const grant =
      actor.type === "system" ? SYSTEM_ACTOR.grants[0] : authorize(actor, STAFF_PERMISSIONS.manage);
    const row: Database["staff"] = {
      id: randomUUID(),
      username: input.username,
      display_name: input.displayName,
      password_hash: passwordHash,
      status: "active",
      failed_logins: 0,
      locked_until: null,
      created_at: clock.now().toISOString(),
    };
    const exists = () => new DomainError("STAFF_EXISTS", { username: input.username });
    const write = db.transaction().execute(async (trx) => {
      if (await staff.byUsername(trx, input.username))
        throw new DomainError("STAFF_EXISTS", { username: input.username });
      await staff.insert(trx, row);
      for (const g of input.grants) {
        await staff.insertGrant(trx, {
          staff_id: row.id,
          role: g.role,
          area_code: g.areaCode,
          outlet_id: g.outletId ?? null,
          employer_id: g.employerId ?? null,
          institution_id: g.institutionId ?? null,
        });
      }
      await audit.record(trx, actor, grant, {
        action: "staff.create",
        subjectType: "staff",
        subjectId: row.id,
        areaCode: input.grants[0]?.areaCode ?? null,
        after: { username: row.username, grants: input.grants },
      });
    });
    await uniqueAs(write, exists);
    return view(row);
  }

  const cache = createAuthCache({ ttlMs: deps.authCacheSeconds * 1000 });

  /** Per-request session checks: lifetime and idle time, and a last-seen write at most once a minute. */
  async function checkSession(token: string, session: { expiresAt: string; lastSeenAt: string }, now: Date) {
    const problem = sessionProblem({ ...session, revokedAt: null }, now, deps.sessionIdleMinutes);
    if (problem) {
      cache.delete(token);
      throw new DomainError("UNAUTHENTICATED", { reason: `session ${problem}` });
    }
    if (now.getTime() - Date.parse(session.lastSeenAt) > LAST_SEEN_RESOLUTION_MS) {
      session.lastSeenAt = now.toISOString();
      await staff.touchSession(db, tokenHash(token), session.lastSeenAt);
    }
  }

  async function actorForSession(token: string, now: Date): Promise<Actor> {
    const session = await staff.sessionWithStaff(db, tokenHash(token));
    if (!session) throw new DomainError("UNAUTHENTICATED");
    if (session.revoked_at) throw new DomainError("UNAUTHENTICATED", { reason: "session revoked" });
    if (session.status !== "active") throw new DomainError("ACCOUNT_DISABLED");
    const times = { expiresAt: session.expires_at, lastSeenAt: session.last_seen_at };
    await checkSession(token, times, now);
    const grants = await staff.grantsOf(db, session.staff_id);
    const actor: Actor = {
      type: "staff",
      id: session.staff_id,
      name: session.username,
      channel: session.channel as Channel,
      grants: grants.map(toGrant),
    };
    cache.set(token, actor, times, now.getTime());
    return actor;
  }

  async function actorForApiKey(token: string, now: Date): Promise<Actor> {
    const key = await staff.apiKeyByHash(db, tokenHash(token));
    if (!key || key.revoked_at) throw new DomainError("UNAUTHENTICATED");
    const actor: Actor = {
      type: "api_key",
      id: key.id,
      name: key.name,
      channel: key.channel as Channel,
      grants: [
        {
          role: key.role as Role,
          areaCode: key.area_code,
          outletId: null,
          employerId: key.employer_id,
          institutionId: key.institution_id,
        },
      ],
    };
    cache.set(token, actor, null, now.getTime());
    return actor;
  }

  return {
    createAccount,

    /** `sscard admin create`: the first ministry administrator, made by the system actor. */
    bootstrapAdmin(input: { username: string; displayName: string; password: string }) {
      return createAccount(SYSTEM_ACTOR, {
        ...input,
        grants: [{ role: "ministry_admin", areaCode: NATIONAL }],
      });
    },

    async list(actor: Actor): Promise<StaffView[]> {
      authorize(actor, STAFF_PERMISSIONS.manage);
      const rows = await staff.list(db, coveredPrefixes(actor, STAFF_PERMISSIONS.manage));
      const grants = rows.length
        ? await staff.grants(
            db,
            rows.map((r) => r.id),
          )
        : [];
      return rows.map((r) => ({
        id: r.id,
        username: r.username,
        displayName: r.display_name,
        status: r.status,
        grants: grants.filter((g) => g.staff_id === r.id).map(toGrant),
        createdAt: r.created_at,
      }));
    },

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

    /** Disables an account and ends its sessions at once. */
    async disable(actor: Actor, staffId: string) {
      const row = await staff.byId(db, staffId);
      if (!row) throw new DomainError("STAFF_NOT_FOUND");
      const targetGrants = await staff.grants(db, [staffId]);
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, targetGrants[0]?.area_code);
      for (const g of targetGrants) {
        authorize(actor, STAFF_PERMISSIONS.manage, g.area_code);
        if (!canGrant(actor, g.role as Role, g.area_code)) throw new DomainError("ROLE_OUT_OF_SCOPE");
      }
      await db.transaction().execute(async (trx) => {
        await staff.setStatus(trx, staffId, "disabled");
        await staff.revokeSessionsOf(trx, staffId, clock.now().toISOString());
        cache.deleteActor(staffId);
        await audit.record(trx, actor, grant, {
          action: "staff.disable",
          subjectType: "staff",
          subjectId: staffId,
          areaCode: targetGrants[0]?.area_code ?? null,
          before: { status: row.status },
          after: { status: "disabled" },
        });
      });
    },

    /** Creates an API key for an institution or terminal; the token is returned once and stored only hashed. */
    async createApiKey(
      actor: Actor,
      input: {
        name: string;
        role: Role;
        areaCode: string;
        /** One of KEY_CHANNELS (default terminal); anything else is refused with its name. */
        channel?: string;
        employerId?: string | null;
        institutionId?: string | null;
      },
    ) {
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, input.areaCode);
      await checkGrants(actor, [
        {
          role: input.role,
          areaCode: input.areaCode,
          employerId: input.employerId,
          institutionId: input.institutionId,
        },
      ]);
      const channel = (input.channel ?? "terminal") as Channel;
      if (!(KEY_CHANNELS as readonly string[]).includes(channel))
        throw new DomainError("KEY_CHANNEL_NOT_ALLOWED", { channel });
      const token = newToken("ssk");
      const row: Database["api_keys"] = {
        id: randomUUID(),
        token_hash: tokenHash(token),
        name: input.name,
        role: input.role,
        area_code: input.areaCode,
        channel,
        created_by: actor.id,
        created_at: clock.now().toISOString(),
        revoked_at: null,
        employer_id: input.employerId ?? null,
        institution_id: input.institutionId ?? null,
      };
      await db.transaction().execute(async (trx) => {
        await staff.insertApiKey(trx, row);
        await audit.record(trx, actor, grant, {
          action: "api_key.create",
          subjectType: "api_key",
          subjectId: row.id,
          areaCode: row.area_code,
          after: { name: row.name, role: row.role, channel },
        });
      });
      return {
        id: row.id,
        token,
        name: row.name,
        role: input.role,
        areaCode: row.area_code,
        channel,
        createdAt: row.created_at,
      };
    },

    async listApiKeys(actor: Actor) {
      authorize(actor, STAFF_PERMISSIONS.manage);
      const rows = await staff.apiKeys(db, coveredPrefixes(actor, STAFF_PERMISSIONS.manage));
      return rows.map((r) => ({
        id: r.id,
        name: r.name,
        role: r.role as Role,
        areaCode: r.area_code,
        channel: r.channel,
        createdAt: r.created_at,
        revokedAt: r.revoked_at,
      }));
    },

    async revokeApiKey(actor: Actor, id: string) {
      const key = await staff.apiKey(db, id);
      if (!key) throw new DomainError("API_KEY_NOT_FOUND");
      const grant = authorize(actor, STAFF_PERMISSIONS.manage, key.area_code);
      await db.transaction().execute(async (trx) => {
        await staff.revokeApiKey(trx, id, clock.now().toISOString());
        cache.deleteActor(id);
        await audit.record(trx, actor, grant, {
          action: "api_key.revoke",
          subjectType: "api_key",
          subjectId: id,
          areaCode: key.area_code,
          before: { revokedAt: key.revoked_at },
          after: { revoked: true },
        });
      });
    },
  };
}

export type StaffService = ReturnType<typeof createStaffService>;
