import type { Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize, authorizeHolderOr } from "../../shared/auth.ts";
import { previousMonth } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import { arrearsOf, coordinationArea } from "../enrolment/enrolment.rules.ts";
import type { MedicalContext } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import { type ContributionInput, contributionOf, employerMayPay } from "./medical.rules.ts";

/** Contributions paid by employers and flexible workers; a payment that clears the arrears restores the medical function. */
export function medicalContributions(ctx: MedicalContext) {
  const { deps, db, repo, audit, clock, today, medicalPolicy } = ctx;
  return {
    /**
     * A month's medical contribution of one person, paid: by the employer on a declared base, or by a
     * flexible worker on a grade. A payment that leaves no more arrears than the grace ends the
     * person's arrears (the medical function is back at once). Never depends on the card's state.
     */
    /** What a flexible worker pays for a month on a grade, by the area's policy in force (a payment order's amount). */
    async selfContributionFen(areaCode: string, gradePercent: number) {
      const policy = await medicalPolicy(areaCode);
      const computed = contributionOf(policy, { payer: "self", gradePercent });
      if (!computed.ok)
        throw new DomainError("VALIDATION_FAILED", {
          summary: `gradePercent: one of ${policy.contributionGradesPercent.join(", ")}`,
        });
      return computed.value.personalFen;
    },

    async payContribution(
      actor: Actor,
      input: { idNumber: string; month: string; employerId?: string } & ContributionInput,
      /** Written in the contribution's transaction (a bank's payment order marked paid with it). */
      alongside?: (trx: Transaction<Database>, contributionId: string) => Promise<void>,
    ) {
      if (actor.type !== "holder") authorize(actor, MEDICAL_PERMISSIONS.contributions);
      const person = await deps.findPerson(db, input.idNumber);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      // A holder pays only their own month, as a flexible worker; an employer's operator only its employer's.
      const grant = authorizeHolderOr(actor, MEDICAL_PERMISSIONS.contributions, person.id, person.area_code);
      if (actor.type === "holder" && input.payer !== "self")
        throw new DomainError("PAYER_NOT_ALLOWED", { reason: "holder_pays_self" });
      if (
        grant?.role === "employer_operator" &&
        (input.payer !== "employer" || grant.employerId !== input.employerId)
      )
        throw new DomainError("PAYER_NOT_ALLOWED", { reason: "operator_pays_for_own_employer" });
      if (input.payer === "employer" && !input.employerId)
        throw new DomainError("VALIDATION_FAILED", {
          summary: "employerId: required for an employer's payment",
        });
      if (input.payer === "employer") {
        // An employer pays only for its own employee, for months from the hiring on.
        const hiredOn = await deps.hiredOn(db, input.employerId!, person.id);
        if (!employerMayPay(hiredOn, input.month))
          throw new DomainError("NOT_AN_EMPLOYEE", { month: input.month, hiredOn: hiredOn ?? null });
      }
      const thisMonth = today().slice(0, 7);
      if (input.month > thisMonth)
        throw new DomainError("VALIDATION_FAILED", { summary: "month: not in the future" });
      if (input.month < person.birth_date.slice(0, 7))
        throw new DomainError("VALIDATION_FAILED", {
          summary: `month: ${input.month} is before the person was born (${person.birth_date.slice(0, 7)})`,
        });
      const area = coordinationArea(person.area_code);
      const policy = await medicalPolicy(person.area_code);
      const computed = contributionOf(policy, input);
      if (!computed.ok)
        throw new DomainError("VALIDATION_FAILED", {
          summary: `gradePercent: one of ${policy.contributionGradesPercent.join(", ")}`,
        });
      const c = computed.value;
      const row: Database["contributions"] = {
        id: timeOrderedId(),
        person_id: person.id,
        coordination_area: area,
        month: input.month,
        payer: input.payer,
        employer_id: input.payer === "employer" ? (input.employerId ?? null) : null,
        grade_percent: c.gradePercent,
        base_fen: c.baseFen,
        employer_fen: c.employerFen,
        personal_fen: c.personalFen,
        account_share_fen: c.accountShareFen,
        paid_at: clock.now().toISOString(),
      };
      try {
        return await db.transaction().execute(async (trx) => {
          await repo.insertContribution(trx, row);
          await alongside?.(trx, row.id);
          const day = today();
          const open = await deps.enrolment.arrearsActive(trx, person.id, area, day);
          let medicalRestored = false;
          if (open) {
            const paid = new Set((await repo.paidMonths(trx, person.id, area)).map((p) => p.month));
            const lastDue = previousMonth(thisMonth);
            const first =
              (await deps.enrolment.medicalStartMonth(trx, person.id, area)) ??
              [...paid].sort()[0] ??
              input.month;
            if (!arrearsOf(first, lastDue, paid, policy.arrearsGraceMonths).suspends) {
              await deps.enrolment.endArrears(trx, open.id, day);
              medicalRestored = true;
            }
          }
          await audit.record(trx, actor, grant, {
            action: "contribution.pay",
            subjectType: "person",
            subjectId: person.id,
            areaCode: person.area_code,
            after: {
              month: input.month,
              payer: input.payer,
              baseFen: c.baseFen,
              employerFen: c.employerFen,
              personalFen: c.personalFen,
              medicalRestored,
            },
          });
          return {
            contributionId: row.id,
            month: row.month,
            coordinationArea: area,
            payer: row.payer,
            gradePercent: c.gradePercent,
            baseFen: c.baseFen,
            employerFen: c.employerFen,
            personalFen: c.personalFen,
            accountShareFen: c.accountShareFen,
            medicalRestored,
          };
        });
      } catch (err) {
        if (isUniqueViolation(err))
          throw new DomainError("CONTRIBUTION_ALREADY_PAID", { month: input.month });
        throw err;
      }
    },
  };
}
