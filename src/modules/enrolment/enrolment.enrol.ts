import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EnrolInput, EnrolmentContext } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { canMove, coordinationArea, type EnrolmentStatus, survivorResolver } from "./enrolment.rules.ts";

/** Enrolling a person in a scheme, and an enrolment's status (suspend, seal, transfer out, terminate). */
export function enrolmentEnrol(ctx: EnrolmentContext) {
  const { db, repo, audit, clock, personByIdNumber, event, enrolIn, checkEnrolInput, view } = ctx;
  return {
    async enrol(actor: Actor, input: EnrolInput) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, input.areaCode);
      checkEnrolInput(input);
      const person = await personByIdNumber(input.idNumber);
      const result = await db.transaction().execute((trx) => enrolIn(trx, actor, grant, person, input));
      const numbers = await repo.numbersOf(db, person.id, coordinationArea(input.areaCode));
      return { enrolment: view(result.row, survivorResolver(numbers)), duplicatesInArea: result.duplicates };
    },

    enrolIn,
    checkEnrolInput,
    personByIdNumber,

    /** Suspends, resumes, seals, transfers out or terminates an enrolment; `version` is the one the clerk saw. */
    async setStatus(
      actor: Actor,
      id: string,
      input: { to: EnrolmentStatus; reason: string; version: number },
    ) {
      const row = await repo.enrolment(db, id);
      if (!row) throw new DomainError("ENROLMENT_NOT_FOUND");
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, row.area_code);
      const from = row.status;
      if (!canMove(from, input.to))
        throw new DomainError("ENROLMENT_STATUS_CONFLICT", { from, to: input.to });
      await db.transaction().execute(async (trx) => {
        if (
          !(await repo.setStatus(trx, id, input.version, {
            status: input.to,
            status_reason: input.reason,
            updated_at: clock.now().toISOString(),
          }))
        )
          throw new DomainError("CONCURRENT_MODIFICATION");
        await event(trx, actor, id, "status", from, input.to, input.reason);
        await audit.record(trx, actor, grant, {
          action: "enrolment.status",
          subjectType: "enrolment",
          subjectId: id,
          areaCode: row.area_code,
          before: { status: from },
          after: { status: input.to, reason: input.reason },
        });
      });
      const numbers = await repo.numbersOf(db, row.person_id, row.coordination_area);
      return view(
        { ...row, status: input.to, status_reason: input.reason, version: input.version + 1 },
        survivorResolver(numbers),
      );
    },
  };
}
