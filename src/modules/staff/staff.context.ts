import { randomBytes, randomUUID } from "node:crypto";
import { hash as argon2Hash } from "@node-rs/argon2";
import type { Kysely, Transaction } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import {
  type Actor,
  areaCovers,
  authorize,
  type Channel,
  canGrant,
  type Grant,
  INSTITUTION_ROLES,
  type Role,
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
/** Who may manage staff and API keys; routes declare the same lists. */
import { STAFF_PERMISSIONS } from "./staff.permissions.ts";
import type { StaffRepository } from "./staff.repository.ts";
import { isStrongStaffPassword, LAST_SEEN_RESOLUTION_MS, sessionProblem } from "./staff.rules.ts";

export const ARGON2 = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

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
  /** Locked after wrong passwords until this time (null: not locked). */
  lockedUntil: string | null;
  grants: Grant[];
  createdAt: string;
}>;

/** What the staff use cases are made from. */
export type StaffDeps = {
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
};

/** The helpers the staff use cases share: tokens, grants, accounts, the authentication cache and sessions. */
export function createStaffContext(deps: StaffDeps) {
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
      lockedUntil: row.locked_until,
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

  /** Writes an account's grants (after its earlier ones were removed, for a change). */
  async function insertGrants(trx: Transaction<Database>, staffId: string, grants: readonly GrantInput[]) {
    for (const g of grants)
      await staff.insertGrant(trx, {
        staff_id: staffId,
        role: g.role,
        area_code: g.areaCode,
        outlet_id: g.outletId ?? null,
        employer_id: g.employerId ?? null,
        institution_id: g.institutionId ?? null,
      });
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
      await insertGrants(trx, row.id, input.grants);
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
    deps,
    db,
    staff,
    areas,
    audit,
    clock,
    view,
    checkGrants,
    insertGrants,
    createAccount,
    checkSession,
    actorForSession,
    actorForApiKey,
    tokenKey,
    tokenHash,
    newToken,
    toGrant,
    cache,
  };
}

export type StaffContext = ReturnType<typeof createStaffContext>;
