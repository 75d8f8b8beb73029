import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EnrolmentContext } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { mergeConflicts } from "./enrolment.rules.ts";

/** Merging a person's several personal numbers in an area into one. */
export function enrolmentMerge(ctx: EnrolmentContext) {
  const { deps, db, repo, audit, clock, cipher, personByIdNumber, event, mergeState } = ctx;
  return {
    /** What a merge would do; the review token must come back with the commit. */
    async previewMerge(
      actor: Actor,
      input: { idNumber: string; coordinationArea: string; survivor?: string },
    ) {
      authorize(actor, ENROLMENT_PERMISSIONS.manage, input.coordinationArea);
      const person = await personByIdNumber(input.idNumber);
      return mergeState(db, person, input.coordinationArea, input.survivor);
    },

    /**
     * Merges a person's personal numbers in an area at the social security centre: the holder's ID is
     * checked, one number survives and the others stay as aliases pointing to it; no enrolment or
     * history is rewritten. Refused when anything changed since the review.
     */
    async commitMerge(
      actor: Actor,
      input: {
        idNumber: string;
        coordinationArea: string;
        survivor: string;
        holderIdNumber: string;
        reviewToken: string;
        /** Enrolments to suspend with the merge, so the person is insured once per family. */
        suspend?: string[];
      },
    ) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, input.coordinationArea);
      const person = await personByIdNumber(input.idNumber);
      if (cipher.blindIndex(input.holderIdNumber.trim().toUpperCase()) !== person.id_number_index)
        throw new DomainError("HOLDER_ID_MISMATCH");
      const at = clock.now().toISOString();
      return db.transaction().execute(async (trx) => {
        await deps.persons.lock(trx, person.id);
        const state = await mergeState(trx, person, input.coordinationArea, input.survivor);
        if (state.reviewToken !== input.reviewToken) throw new DomainError("CONCURRENT_MODIFICATION");
        const suspend = [...new Set(input.suspend ?? [])];
        const unknown = suspend.filter(
          (id) => !state.enrolments.some((e) => e.id === id && e.status === "active"),
        );
        if (unknown.length) throw new DomainError("ENROLMENT_NOT_FOUND", { enrolmentIds: unknown });
        const conflicts = mergeConflicts(state.enrolments, suspend);
        if (conflicts.length)
          throw new DomainError("MERGE_CONFLICT", {
            conflicts,
            families: conflicts.map((c) => c.family).join(", "),
          });
        for (const id of suspend) {
          const e = state.enrolments.find((x) => x.id === id)!;
          const reason = "合并个人编号，避免重复参保";
          if (
            !(await repo.setStatus(trx, id, e.version, {
              status: "suspended",
              status_reason: reason,
              updated_at: at,
            }))
          )
            throw new DomainError("CONCURRENT_MODIFICATION");
          await event(trx, actor, id, "status", "active", "suspended", reason);
        }
        for (const n of state.merged) {
          const r = await repo.mergeNumber(trx, n, state.survivor, at);
          if (Number(r.numUpdatedRows) !== 1) throw new DomainError("CONCURRENT_MODIFICATION");
        }
        await repo.markSurvivor(trx, state.survivor);
        await audit.record(trx, actor, grant, {
          action: "personal_number.merge",
          subjectType: "person",
          subjectId: person.id,
          areaCode: input.coordinationArea,
          after: {
            survivor: state.survivor,
            aliases: state.merged,
            ...(suspend.length ? { suspended: suspend } : {}),
          },
        });
        return { survivor: state.survivor, aliases: state.merged, suspended: suspend };
      });
    },
  };
}
