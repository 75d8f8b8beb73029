import { randomUUID } from "node:crypto";
import type { Kysely } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, findGrant, NATIONAL } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import { AREA_PERMISSIONS } from "./areas.permissions.ts";
import type { AreasRepository } from "./areas.repository.ts";
import { classifyAreaCode, type PolicyVersion, policyInForce, policySchema } from "./areas.rules.ts";

/** How long a process reuses the policy versions it read (other processes see a new version within this). */
export const POLICY_CACHE_MS = 10_000;

export { AREA_PERMISSIONS };

export type Outlet = Readonly<{
  id: string;
  areaCode: string;
  name: string;
  kind: string;
  address: string | null;
  /** The partner bank a bank branch belongs to. */
  bankCode: string | null;
}>;

const toOutlet = (r: Database["outlets"]): Outlet => ({
  id: r.id,
  areaCode: r.area_code,
  name: r.name,
  kind: r.kind,
  address: r.address,
  bankCode: r.bank_code,
});

/** Card-issuing areas, their versioned policies and service outlets. */
export function createAreasService(deps: {
  db: Kysely<Database>;
  areas: AreasRepository;
  audit: AuditService;
  clock: Clock;
  regions: RegionTable;
}) {
  const { db, areas, audit, clock, regions } = deps;

  async function requireArea(code: string) {
    const area = await areas.get(db, code);
    if (!area) throw new DomainError("AREA_NOT_FOUND", { code });
    return area;
  }

  /** The area and its parents up to the national scope, nearest first. */
  // An area's parent never changes, so chains are remembered; policy versions are re-read after
  // POLICY_CACHE_MS (and at once in this process when one is added).
  const chains = new Map<string, string[]>();
  const versionCache = new Map<string, { at: number; versions: PolicyVersion[][] }>();

  async function chainOf(code: string, q: Kysely<Database> = db): Promise<string[]> {
    const known = chains.get(code);
    if (known) return known;
    const chain: string[] = [];
    let current: string | null = code;
    while (current) {
      const area = await areas.get(q, current);
      if (!area) throw new DomainError("AREA_NOT_FOUND", { code: current });
      chain.push(area.code);
      current = area.parent_code;
    }
    chains.set(code, chain);
    return chain;
  }

  async function cachedVersionsOf(
    chain: readonly string[],
    q: Kysely<Database> = db,
  ): Promise<PolicyVersion[][]> {
    const key = chain.join(",");
    const now = Date.now();
    const hit = versionCache.get(key);
    if (hit && now - hit.at < POLICY_CACHE_MS) return hit.versions;
    const versions = await versionsOf(chain, q);
    versionCache.set(key, { at: now, versions });
    return versions;
  }

  async function versionsOf(chain: readonly string[], q: Kysely<Database> = db): Promise<PolicyVersion[][]> {
    const rows = await areas.policies(q, chain);
    return chain.map((code) =>
      rows
        .filter((r) => r.area_code === code)
        .map((r) => ({
          areaCode: r.area_code,
          version: Number(r.version),
          effectiveFrom: r.effective_from,
          policy: policySchema.parse(JSON.parse(r.policy)),
        })),
    );
  }

  return {
    async list() {
      return areas.list(db);
    },

    /** The area and its parents up to the national scope, nearest first. */
    chain: chainOf,

    async get(actor: Actor, code: string) {
      authorize(actor, AREA_PERMISSIONS.read, code);
      return requireArea(code);
    },

    /** Registers a province or a city as a card-issuing area with the issuer ID the ministry allocated (ministry only). */
    async create(actor: Actor, input: { code: string; name?: string; issuerId?: string }) {
      const classified = classifyAreaCode(input.code, regions);
      if (!classified.ok) {
        if (classified.problem === "region")
          throw new DomainError("INVALID_REGION_CODE", { regionCode: input.code });
        throw new DomainError("INVALID_PARENT_AREA", { reason: "not a province, city or county" });
      }
      // Only the ministry allocates issuer identification numbers (Measures Art. 6, 7); a county has none.
      if (input.issuerId !== undefined && classified.level === "county")
        throw new DomainError("VALIDATION_FAILED", {
          summary: "issuerId: a county issues no cards, its city does",
        });
      if (input.issuerId !== undefined && !findGrant(actor, AREA_PERMISSIONS.approve))
        throw new DomainError("FORBIDDEN");
      const grant = authorize(actor, AREA_PERMISSIONS.create, classified.parentCode);
      const exists = () => new DomainError("AREA_EXISTS", { code: input.code });
      const write = db.transaction().execute(async (trx) => {
        if (await areas.get(trx, input.code)) throw exists();
        if (!(await areas.get(trx, classified.parentCode))) {
          throw new DomainError("INVALID_PARENT_AREA", {
            reason: "parent must be registered first (the province of a city, the city of a county)",
          });
        }
        if (input.issuerId && (await areas.issuerIdTaken(trx, input.issuerId))) {
          throw new DomainError("ISSUER_ID_TAKEN", { issuerId: input.issuerId });
        }
        const row = {
          code: input.code,
          name: input.name ?? regions.fullName(input.code) ?? classified.name,
          level: classified.level,
          issuer_id: input.issuerId ?? null,
          parent_code: classified.parentCode,
          created_at: clock.now().toISOString(),
        };
        await areas.insert(trx, row);
        await audit.record(trx, actor, grant, {
          action: "area.create",
          subjectType: "area",
          subjectId: row.code,
          areaCode: row.code,
          after: { name: row.name, level: row.level, issuerId: row.issuer_id, parent: row.parent_code },
        });
        return row;
      });
      return uniqueAs(write, exists);
    },

    /** The policy in force in an area on a date (today in China when not given), inherited if the area has none. */
    /** The policy in force in an area on a date (today by default); inside a transaction pass it as `via`. */
    async policyAt(actor: Actor | null, code: string, date?: string, via: Kysely<Database> = db) {
      if (actor) authorize(actor, AREA_PERMISSIONS.read, code);
      const on = date ?? chinaDate(clock.now());
      const found = policyInForce(await cachedVersionsOf(await chainOf(code, via), via), on);
      if (!found) throw new DomainError("POLICY_NOT_FOUND", { date: on });
      return { ...found, date: on, inherited: found.areaCode !== code };
    },

    /** Every version an area has of its own, and which one is in force today. */
    async policyVersions(actor: Actor, code: string) {
      authorize(actor, AREA_PERMISSIONS.read, code);
      await requireArea(code);
      const [own] = await versionsOf([code]);
      const today = chinaDate(clock.now());
      const inForce = policyInForce([own], today);
      return { versions: own, inForceVersion: inForce?.version ?? null, today };
    },

    /** Adds a complete policy version taking effect on a date from today on; earlier versions stay as history. */
    async addPolicyVersion(
      actor: Actor,
      code: string,
      input: { effectiveFrom: string; policy: unknown; note?: string },
    ) {
      const grant = authorize(actor, AREA_PERMISSIONS.writePolicy, code);
      if (code === NATIONAL && grant.role !== "ministry_admin") throw new DomainError("FORBIDDEN");
      const parsed = policySchema.safeParse(input.policy);
      if (!parsed.success) {
        throw new DomainError("POLICY_INVALID", {
          summary: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
          issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
        });
      }
      const today = chinaDate(clock.now());
      if (input.effectiveFrom < today) throw new DomainError("POLICY_EFFECTIVE_DATE_IN_PAST", { today });
      await requireArea(code);
      return db.transaction().execute(async (trx) => {
        await areas.lock(trx, code);
        versionCache.clear();
        const version = (await areas.lastPolicyVersion(trx, code)) + 1;
        const policy = JSON.stringify(parsed.data);
        await areas.insertPolicy(trx, {
          area_code: code,
          version,
          effective_from: input.effectiveFrom,
          policy,
          note: input.note ?? null,
          created_by: actor.id,
          created_at: clock.now().toISOString(),
        });
        await audit.record(trx, actor, grant, {
          action: "area.policy.add",
          subjectType: "area",
          subjectId: code,
          areaCode: code,
          after: { version, effectiveFrom: input.effectiveFrom, policy: parsed.data },
        });
        return { areaCode: code, version, effectiveFrom: input.effectiveFrom, policy: parsed.data };
      });
    },

    async outlets(actor: Actor, code: string): Promise<Outlet[]> {
      authorize(actor, AREA_PERMISSIONS.read, code);
      const rows = await areas.outlets(db, code);
      return rows.map(toOutlet);
    },

    async createOutlet(
      actor: Actor,
      code: string,
      input: { name: string; kind: Database["outlets"]["kind"]; address?: string; bankCode?: string },
    ): Promise<Outlet> {
      const grant = authorize(actor, AREA_PERMISSIONS.createOutlet, code);
      await requireArea(code);
      return db.transaction().execute(async (trx) => {
        const row = {
          id: randomUUID(),
          area_code: code,
          name: input.name,
          kind: input.kind,
          address: input.address ?? null,
          bank_code: input.kind === "bank_branch" ? (input.bankCode ?? null) : null,
          created_at: clock.now().toISOString(),
        };
        await areas.insertOutlet(trx, row);
        await audit.record(trx, actor, grant, {
          action: "outlet.create",
          subjectType: "outlet",
          subjectId: row.id,
          areaCode: code,
          after: { name: row.name, kind: row.kind },
        });
        return toOutlet(row);
      });
    },
  };
}

export type AreasService = ReturnType<typeof createAreasService>;
