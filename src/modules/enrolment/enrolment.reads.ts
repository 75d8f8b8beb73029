import { type Actor, authorize, holderPersonId } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import type { EnrolmentContext, EnrolmentRow } from "./enrolment.context.ts";

import { ENROLMENT_PERMISSIONS } from "./enrolment.permissions.ts";
import { survivorResolver } from "./enrolment.rules.ts";

/** A person's enrolments, by ID number or personal number, with their history. */
export function enrolmentReads(ctx: EnrolmentContext) {
  const { db, repo, personByIdNumber, view, today } = ctx;
  return {
    /**
     * The signed-in holder's own insurance: every enrolment with its history, and the arrears in force
     * today (the seed's "confirm whether there is arrears or payment suspension").
     */
    async ofHolder(actor: Actor) {
      const personId = holderPersonId(actor);
      const [enrolments, arrears] = await Promise.all([
        repo.enrolmentsOfPerson(db, personId),
        repo.arrearsOfPerson(db, personId, today()),
      ]);
      return {
        ...(await this.history(personId, enrolments)),
        arrears: arrears.map((a) => ({
          id: a.id,
          coordinationArea: a.coordination_area,
          fromDate: a.from_date,
          toDate: a.to_date,
          reason: a.reason,
        })),
      };
    },

    /** A person's enrolments everywhere, with each one's history. */
    async ofPerson(actor: Actor, idNumber: string) {
      authorize(actor, ENROLMENT_PERMISSIONS.read);
      const person = await personByIdNumber(idNumber);
      authorize(actor, ENROLMENT_PERMISSIONS.read, person.area_code);
      return this.history(person.id, await repo.enrolmentsOfPerson(db, person.id));
    },

    /**
     * Everything filed under a personal number: after a merge the surviving number and every alias
     * lead to the same enrolments and histories.
     */
    async ofPersonalNumber(actor: Actor, number: string) {
      authorize(actor, ENROLMENT_PERMISSIONS.read);
      const row = await repo.number(db, number);
      if (!row) throw new DomainError("PERSONAL_NUMBER_NOT_FOUND");
      authorize(actor, ENROLMENT_PERMISSIONS.read, row.coordination_area);
      const numbers = await repo.numbersOf(db, row.person_id, row.coordination_area);
      const survivorOf = survivorResolver(numbers);
      const group = new Set(
        numbers.filter((n) => survivorOf(n.number) === survivorOf(number)).map((n) => n.number),
      );
      const enrolments = (await repo.enrolmentsOf(db, row.person_id, row.coordination_area)).filter((e) =>
        group.has(e.personal_number),
      );
      return {
        number,
        survivingNumber: survivorOf(number),
        aliases: [...group].filter((n) => n !== survivorOf(number)),
        ...(await this.history(row.person_id, enrolments)),
      };
    },

    async history(personId: string, enrolments: readonly EnrolmentRow[]) {
      const areas = [...new Set(enrolments.map((e) => e.coordination_area))];
      const numbers = (await Promise.all(areas.map((a) => repo.numbersOf(db, personId, a)))).flat();
      const survivorOf = survivorResolver(numbers);
      const events = await repo.eventsOf(
        db,
        enrolments.map((e) => e.id),
      );
      return {
        enrolments: enrolments.map((e) => ({
          ...view(e, survivorOf),
          history: events
            .filter((v) => v.enrolment_id === e.id)
            .map((v) => ({
              at: v.at,
              action: v.action,
              from: v.from_status,
              to: v.to_status,
              reason: v.reason,
            })),
        })),
      };
    },
  };
}
