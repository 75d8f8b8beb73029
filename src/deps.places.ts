import type { Kysely } from "kysely";
import type { Database } from "./db/schema.ts";
import type { createAreasRepository } from "./modules/areas/areas.repository.ts";
import type { createMedicalRepository } from "./modules/medical/medical.repository.ts";
import type { Grant } from "./shared/auth.ts";

/**
 * The name of the institution or outlet a grant acts for, read once per place and kept (a check
 * records the name as it was then; a renamed place shows its new name after a restart).
 */
export function placeNames(
  db: Kysely<Database>,
  medical: ReturnType<typeof createMedicalRepository>,
  areas: ReturnType<typeof createAreasRepository>,
): (grant: Grant) => Promise<string | null> {
  const names = new Map<string, string | null>();
  return async (grant) => {
    const key = grant.institutionId
      ? `i:${grant.institutionId}`
      : grant.outletId
        ? `o:${grant.outletId}`
        : undefined;
    if (!key) return null;
    if (!names.has(key)) {
      const row = grant.institutionId
        ? await medical.institutionById(db, grant.institutionId)
        : await areas.outlet(db, grant.outletId!);
      names.set(key, row?.name ?? null);
    }
    return names.get(key) ?? null;
  };
}
