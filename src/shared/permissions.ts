import { ADMINS, type Channel, type Permission, type Role } from "./auth.ts";

/**
 * Who may take an action, channel by channel: the roles a principal on that channel must hold. A
 * channel not named may not take the action at all, whatever the role.
 *
 * The channels (the principal is the channel, its role only places it in an area):
 * - `counter`: a member of staff signed in at a workstation (an outlet's counter, a bank branch, a
 *   hospital's window, an administrator's office). Only a staff session is on this channel; an API
 *   key never is. What the seeds reserve for the service institution (unlock, reset, formal loss
 *   and replacement, cancellation, hand-over) is on this channel only.
 * - `terminal`: an institution's own system with an API key (a hospital's or pharmacy's terminal,
 *   a bank's system, a card bureau's production line, an employer's payroll system).
 * - `kiosk`: a self-service terminal (in outlets and designated medical institutions).
 * - `phone`: the 12333 service hotline and the 96102 loss-report line.
 * - `web`: an online service platform calling in (the online hall's own holders sign in as holders).
 * - `system`: the CLI and the scheduled jobs; they act as the counter does.
 */
export type { Permission } from "./auth.ts";
export { rolesOn } from "./auth.ts";

/** The channels a matrix cell can name (the e-card's channel apps have routes of their own). */
export const MATRIX_CHANNELS = [
  "counter",
  "terminal",
  "kiosk",
  "phone",
  "web",
] as const satisfies readonly Channel[];

export const SETTLING = ["medical_operator", "pharmacy_operator"] as const satisfies readonly Role[];
/** Who reads cards in a reader or relays them: institutions, outlets, banks, administrators. */
export const CARD_READERS = [
  "medical_operator",
  "pharmacy_operator",
  "outlet_clerk",
  "bank_clerk",
  ...ADMINS,
] as const satisfies readonly Role[];
/** A self-service terminal, the hotline, an online platform: keys of an outlet's area. */
export const SELF_SERVICE = ["outlet_clerk"] as const satisfies readonly Role[];

/** An action on the counter only. */
export const counterOnly = (roles: readonly Role[]) => ({ counter: roles });
/** An action at the counter and from an institution's system, with the same roles. */
export const counterAndSystems = (roles: readonly Role[]) => ({ counter: roles, terminal: roles });

type Entries = Record<
  string,
  { summary: string; channels: Partial<Record<(typeof MATRIX_CHANNELS)[number], readonly Role[]>> }
>;

/**
 * A module's slice of the action × channel × role matrix: each entry named `<module>.<name>`. Every
 * route declares one of these, every service authorises with the same entry, the web menu reads the
 * actions a caller may take from /auth/me, and docs/permissions.md is generated from all of them
 * (src/permissions.ts assembles the modules' slices).
 */
export function permissionsOf<const E extends Entries>(
  module: string,
  entries: E,
): { readonly [N in keyof E]: Permission } {
  return Object.fromEntries(
    Object.entries(entries).map(([name, entry]) => [name, { action: `${module}.${name}`, ...entry }]),
  ) as { readonly [N in keyof E]: Permission };
}
