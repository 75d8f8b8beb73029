import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, coveredPrefixes } from "../../shared/auth.ts";
import type { Clock } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { createCeremoniesRepository } from "./ceremonies.repository.ts";
import { createKeyCeremonies } from "./ceremonies.service.ts";
import { createHsm } from "./hsm.ts";
import { KEY_PERMISSIONS } from "./keys.permissions.ts";
import { createKeysRepository, type KeysRepository } from "./keys.repository.ts";
import type { Lmk } from "./lmk.ts";

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

/**
 * The keys module as the platform wires it: the encryption machine (none without an LMK: then every use
 * answers HSM_UNAVAILABLE), the key state and the ceremonies run from the administrators' pages.
 */
export function createKeys(deps: {
  db: Kysely<Database>;
  lmk: Lmk | undefined;
  clock: Clock;
  audit: AuditService;
  areaExists: (code: string) => Promise<boolean>;
}) {
  const repo = createKeysRepository(deps.db);
  const hsm = deps.lmk ? createHsm({ keys: repo, lmk: deps.lmk, now: () => deps.clock.now() }) : undefined;
  const requireHsm = () => {
    if (!hsm) throw new DomainError("HSM_UNAVAILABLE");
    return hsm;
  };
  const ceremonies = createKeyCeremonies({ ...deps, repo: createCeremoniesRepository(), hsm: requireHsm });
  return { hsm, requireHsm, keyState: createKeyState({ repo }), ceremonies };
}
