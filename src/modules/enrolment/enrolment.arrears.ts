import { randomUUID } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import { type Actor, areaPrefix, authorize, NATIONAL } from "../../shared/auth.ts";
import { previousMonth } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { EnrolmentContext } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { arrearsOf, coordinationArea } from "./enrolment.rules.ts";

/** Arrears: recorded and ended by hand, and computed by the arrears run. */
export function enrolmentArrears(ctx: EnrolmentContext) {
  const { deps, db, repo, audit, clock, today, personByIdNumber, validArea, notInFuture } = ctx;
  return {
    /** Records arrears (payment suspension) from a date: the medical function is suspended at once. */
    async recordArrears(
      actor: Actor,
      input: { idNumber: string; coordinationArea: string; fromDate: string; reason: string },
    ) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, input.coordinationArea);
      validArea(input.coordinationArea);
      if (coordinationArea(input.coordinationArea) !== input.coordinationArea)
        throw new DomainError("VALIDATION_FAILED", { summary: "coordinationArea: a city code (XXYY00)" });
      notInFuture("fromDate", input.fromDate);
      const person = await personByIdNumber(input.idNumber);
      const row: Database["arrears"] = {
        id: randomUUID(),
        person_id: person.id,
        coordination_area: input.coordinationArea,
        from_date: input.fromDate,
        to_date: null,
        reason: input.reason,
        created_at: clock.now().toISOString(),
      };
      await db.transaction().execute(async (trx) => {
        await repo.insertArrears(trx, row);
        await audit.record(trx, actor, grant, {
          action: "arrears.record",
          subjectType: "person",
          subjectId: person.id,
          areaCode: input.coordinationArea,
          after: { id: row.id, fromDate: row.from_date, reason: row.reason },
        });
      });
      return {
        id: row.id,
        coordinationArea: row.coordination_area,
        fromDate: row.from_date,
        toDate: null,
        reason: row.reason,
      };
    },

    /** Ends arrears on a date (payment made): the medical function is back from that day. */
    async endArrears(actor: Actor, id: string, input: { toDate: string }) {
      const row = await repo.arrears(db, id);
      if (!row) throw new DomainError("ARREARS_NOT_FOUND");
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, row.coordination_area);
      notInFuture("toDate", input.toDate);
      if (input.toDate < row.from_date)
        throw new DomainError("VALIDATION_FAILED", { summary: `toDate: not before ${row.from_date}` });
      await db.transaction().execute(async (trx) => {
        const r = await repo.endArrears(trx, id, input.toDate);
        if (Number(r.numUpdatedRows) !== 1) throw new DomainError("CONCURRENT_MODIFICATION");
        await audit.record(trx, actor, grant, {
          action: "arrears.end",
          subjectType: "person",
          subjectId: row.person_id,
          areaCode: row.coordination_area,
          after: { id, toDate: input.toDate },
        });
      });
      return {
        id,
        coordinationArea: row.coordination_area,
        fromDate: row.from_date,
        toDate: input.toDate,
        reason: row.reason,
      };
    },
    /**
     * Arrears computed per person and month: every active employee medical enrolment in the caller's
     * areas whose unpaid months (from the enrolment's first month to last month) exceed the area's grace
     * gets an arrears record from today, suspending the medical function (the online check and
     * settlements refuse it) until a payment clears them. Already suspended persons are left as they are.
     */
    async arrearsRun(actor: Actor) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.arrearsRun);
      const prefix = grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode);
      const day = today();
      const lastDue = previousMonth(day.slice(0, 7));
      const report = { lastDueMonth: lastDue, checked: 0, suspended: 0, alreadySuspended: 0 };
      for (const e of await repo.medicalEnrolments(db, prefix)) {
        report.checked++;
        const graceMonths = await deps.arrearsGraceMonths(e.coordination_area);
        const paid = new Set(await deps.paidMonths(db, e.person_id, e.coordination_area));
        const due = arrearsOf(e.start_date.slice(0, 7), lastDue, paid, graceMonths);
        if (!due.suspends) continue;
        const suspended = await db.transaction().execute(async (trx) => {
          if (await repo.arrearsActive(trx, e.person_id, e.coordination_area, day)) return false;
          const row: Database["arrears"] = {
            id: timeOrderedId(),
            person_id: e.person_id,
            coordination_area: e.coordination_area,
            from_date: day,
            to_date: null,
            reason: `unpaid contributions: ${due.unpaid.join(", ")}`.slice(0, 500),
            created_at: clock.now().toISOString(),
          };
          await repo.insertArrears(trx, row);
          await audit.record(trx, actor, grant, {
            action: "arrears.computed",
            subjectType: "person",
            subjectId: e.person_id,
            areaCode: e.coordination_area,
            after: { unpaidMonths: due.unpaid, graceMonths: graceMonths },
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
