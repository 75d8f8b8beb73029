import { type Actor, authorize, coveredPrefixes } from "../../shared/auth.ts";
import { KEY_PERMISSIONS } from "./keys.permissions.ts";
import type { KeysRepository } from "./keys.repository.ts";

/**
 * The state of the key ceremonies as the administrators and auditors see it: every key the encryption
 * machine holds for the nation and the caller's areas, by label, usage, version and state. Nothing of a
 * key leaves: no block, no check value.
 */
export function createKeyState(deps: { repo: KeysRepository }) {
  return {
    async list(actor: Actor) {
      authorize(actor, KEY_PERMISSIONS.read);
      const prefixes = coveredPrefixes(actor, KEY_PERMISSIONS.read);
      const rows = await deps.repo.list();
      return rows
        .filter((r) => !prefixes || r.area_code === null || prefixes.some((p) => r.area_code!.startsWith(p)))
        .map((r) => ({
          label: r.label,
          usage: r.usage,
          algorithm: r.algorithm,
          version: Number(r.key_version),
          areaCode: r.area_code,
          asymmetric: r.public_key !== null,
          createdAt: r.created_at,
          retiredAt: r.retired_at,
          state: r.retired_at ? ("retired" as const) : ("active" as const),
        }));
    },
  };
}

export type KeyState = ReturnType<typeof createKeyState>;
