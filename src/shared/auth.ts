import { DomainError } from "./errors.ts";

/** Staff and institution roles; each is held in an area (the national scope is `000000`). */
export const ROLES = [
  "ministry_admin",
  "province_admin",
  "city_admin",
  "outlet_clerk",
  "bank_clerk",
  "medical_operator",
  "pharmacy_operator",
  "auditor",
  "employer_operator",
] as const;
export type Role = (typeof ROLES)[number];

/** Where an action came from; recorded with every audit record. */
export const CHANNELS = ["counter", "web", "phone", "kiosk", "ecard", "terminal", "system"] as const;
export type Channel = (typeof CHANNELS)[number];

/**
 * The channels an API key may serve: an institution's system, a self-service terminal, the
 * hotline, an online platform. The counter is a staff session's, the e-card's apps are channels of
 * their own, the system is the CLI's and the jobs'.
 */
export const KEY_CHANNELS = ["terminal", "kiosk", "phone", "web"] as const satisfies readonly Channel[];

/** The area code of the ministry's national scope. */
export const NATIONAL = "000000";

/**
 * A role in an area; a bank clerk's grant names its branch, an employer operator's its employer, a
 * hospital or pharmacy operator's the designated institution it settles for.
 */
export type Grant = Readonly<{
  role: Role;
  areaCode: string;
  outletId: string | null;
  employerId?: string | null;
  institutionId?: string | null;
}>;

/** The roles that settle at a designated institution and must name it in their grant. */
export const INSTITUTION_ROLES = ["medical_operator", "pharmacy_operator"] as const satisfies readonly Role[];

/**
 * Who is acting: a staff member's session, an institution's API key, the system itself (CLI, jobs),
 * or a card holder signed in to the online service hall (no grants: only their own cards).
 */
export type Actor = Readonly<{
  type: "staff" | "api_key" | "system" | "holder" | "channel";
  id: string;
  name: string;
  channel: Channel;
  grants: readonly Grant[];
  /** For a holder: the person they are. */
  personId?: string;
  /** A holder's kiosk session opened by the ID card alone: reads and prints, nothing that changes state. */
  scope?: "query";
}>;

/** The system actor used by the CLI and scheduled jobs. */
export const SYSTEM_ACTOR: Actor = Object.freeze({
  type: "system" as const,
  id: "system",
  name: "system",
  channel: "system" as const,
  grants: [{ role: "ministry_admin" as const, areaCode: NATIONAL, outletId: null }],
});

/** Common role sets used by route declarations. */
export const ADMINS = ["ministry_admin", "province_admin", "city_admin"] as const satisfies readonly Role[];
export const STAFF_ROLES = ROLES;

/**
 * Whether an area scope covers a target area: the national scope covers all, a province (XX0000)
 * covers its cities and counties, a city (XXYY00) its counties, anything else only itself.
 */
export function areaCovers(scope: string, target: string): boolean {
  if (scope === NATIONAL || scope === target) return true;
  if (scope.endsWith("0000")) return target.startsWith(scope.slice(0, 2));
  if (scope.endsWith("00")) return target.startsWith(scope.slice(0, 4));
  return false;
}

/** The code prefix an area scope covers: `33` for 330000, `3301` for 330100 (empty for national). */
export function areaPrefix(scope: string): string {
  if (scope === NATIONAL) return "";
  if (scope.endsWith("0000")) return scope.slice(0, 2);
  if (scope.endsWith("00")) return scope.slice(0, 4);
  return scope;
}

/** An action of the action × channel × role matrix: the roles a principal on each channel must hold. */
export type Permission = Readonly<{
  action: string;
  summary: string;
  channels: Readonly<Partial<Record<Channel, readonly Role[]>>>;
}>;

/**
 * The roles that allow `permission` to this actor, from the channel it acts on (the matrix in
 * permissions.ts). The counter is a staff session's alone: an API key that claims it gets nothing.
 * The system (CLI, scheduled jobs) acts as the counter.
 */
export function rolesOn(permission: Permission, actor: Pick<Actor, "type" | "channel">): readonly Role[] {
  if (actor.type === "system") return permission.channels.counter ?? [];
  if (actor.channel === "counter" && actor.type !== "staff") return [];
  return permission.channels[actor.channel] ?? [];
}

/** Prefixes of every area the actor's grants allowing `permission` cover; undefined when one is national. */
export function coveredPrefixes(actor: Actor, permission: Permission): string[] | undefined {
  const roles = rolesOn(permission, actor);
  const grants = actor.grants.filter((g) => roles.includes(g.role));
  if (grants.some((g) => g.areaCode === NATIONAL)) return undefined;
  return grants.map((g) => areaPrefix(g.areaCode));
}

/** The actor's grant that allows `permission` on its channel (in `areaCode`, when given), if any. */
export function findGrant(actor: Actor, permission: Permission, areaCode?: string): Grant | undefined {
  const roles = rolesOn(permission, actor);
  return actor.grants.find(
    (g) => roles.includes(g.role) && (areaCode === undefined || areaCovers(g.areaCode, areaCode)),
  );
}

/**
 * Throws FORBIDDEN when no grant of the actor allows `permission` on the actor's channel,
 * AREA_FORBIDDEN when none covers `areaCode`.
 */
export function authorize(actor: Actor, permission: Permission, areaCode?: string): Grant {
  if (!findGrant(actor, permission)) throw new DomainError("FORBIDDEN");
  const grant = findGrant(actor, permission, areaCode);
  if (!grant) throw new DomainError("AREA_FORBIDDEN", { areaCode });
  return grant;
}

/**
 * For actions a holder may take on their own card: a holder acting on their own card passes (no grant),
 * on anyone else's it is CARD_NOT_FOUND; staff are authorised by `permission` as usual.
 */
export function authorizeHolderOr(
  actor: Actor,
  permission: Permission,
  ownerPersonId: string,
  areaCode?: string,
): Grant | undefined {
  if (actor.type === "holder") {
    if (actor.personId !== ownerPersonId) throw new DomainError("CARD_NOT_FOUND");
    return undefined;
  }
  return authorize(actor, permission, areaCode);
}

/** The person a signed-in holder is; anyone else is FORBIDDEN (the holder's own views). */
export function holderPersonId(actor: Actor): string {
  if (actor.type !== "holder" || !actor.personId) throw new DomainError("FORBIDDEN");
  return actor.personId;
}

/** Roles each administrator role may grant (always within its own area). */
const GRANTABLE: Record<Role, readonly Role[]> = {
  ministry_admin: ROLES,
  province_admin: ROLES.filter((r) => r !== "ministry_admin"),
  city_admin: ROLES.filter((r) => r !== "ministry_admin" && r !== "province_admin"),
  outlet_clerk: [],
  bank_clerk: [],
  medical_operator: [],
  pharmacy_operator: [],
  employer_operator: [],
  auditor: [],
};

/** Whether an actor may grant `role` in `areaCode`: an administrator above it whose area covers it. */
export function canGrant(actor: Actor, role: Role, areaCode: string): boolean {
  return actor.grants.some((g) => GRANTABLE[g.role].includes(role) && areaCovers(g.areaCode, areaCode));
}

/** The role recorded in the audit log for an action authorised by a grant. */
export function auditRole(actor: Actor, grant?: Grant): string {
  return grant?.role ?? actor.grants[0]?.role ?? "none";
}
