import type { Database } from "../../db/schema.ts";
import { type Actor, areaPrefix, authorize, NATIONAL } from "../../shared/auth.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { MedicalContext } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import { arrearsOf, previousMonth } from "./medical.rules.ts";

/** The arrears run: enrolments whose unpaid months exceed the grace are suspended. */
export function medicalArrears(ctx: MedicalContext) {
  const { deps, db, repo, audit, clock, today, medicalPolicy } = ctx;
  return {
    /**
     * Arrears computed per person and month: every active employee medical enrolment in the caller's
     * areas whose unpaid months (from the enrolment's first month to last month) exceed the area's grace
     * gets an arrears record from today, suspending the medical function (the online check and
     * settlements refuse it) until a payment clears them. Already suspended persons are left as they are.
     */
    async arrearsRun(actor: Actor) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.transfer);
      const prefix = grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode);
      const day = today();
      const lastDue = previousMonth(day.slice(0, 7));
      const report = { lastDueMonth: lastDue, checked: 0, suspended: 0, alreadySuspended: 0 };
      for (const e of await repo.medicalEnrolments(db, prefix)) {
        report.checked++;
        const policy = await medicalPolicy(e.coordination_area);
        const paid = new Set(
          (await repo.paidMonths(db, e.person_id, e.coordination_area)).map((p) => p.month),
        );
        const due = arrearsOf(e.start_date.slice(0, 7), lastDue, paid, policy.arrearsGraceMonths);
        if (!due.suspends) continue;
        const suspended = await db.transaction().execute(async (trx) => {
          if (await deps.enrolment.arrearsActive(trx, e.person_id, e.coordination_area, day)) return false;
          const row: Database["arrears"] = {
            id: timeOrderedId(),
            person_id: e.person_id,
            coordination_area: e.coordination_area,
            from_date: day,
            to_date: null,
            reason: `unpaid contributions: ${due.unpaid.join(", ")}`.slice(0, 500),
            created_at: clock.now().toISOString(),
          };
          await deps.enrolment.insertArrears(trx, row);
          await audit.record(trx, actor, grant, {
            action: "arrears.computed",
            subjectType: "person",
            subjectId: e.person_id,
            areaCode: e.coordination_area,
            after: { unpaidMonths: due.unpaid, graceMonths: policy.arrearsGraceMonths },
          });
          return true;
        });
        if (suspended) report.suspended++;
        else report.alreadySuspended++;
      }
      return report;
    },
  };
}
