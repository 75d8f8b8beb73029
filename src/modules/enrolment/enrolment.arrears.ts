import { randomUUID } from "node:crypto";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EnrolmentContext } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { coordinationArea } from "./enrolment.rules.ts";

/** Arrears: recorded and ended by hand, and computed by the arrears run. */
export function enrolmentArrears(ctx: EnrolmentContext) {
  const { db, repo, audit, clock, personByIdNumber, validArea, notInFuture } = ctx;
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
  };
}
