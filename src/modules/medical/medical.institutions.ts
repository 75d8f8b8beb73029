import { isUniqueViolation } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, areaPrefix, authorize, NATIONAL } from "../../shared/auth.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { MedicalContext } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";

/** Designated hospitals and pharmacies: their agreements and their terminals. */
export function medicalInstitutions(ctx: MedicalContext) {
  const { deps, db, repo, audit, clock, institutionOfTerminal } = ctx;
  return {
    async registerInstitution(
      actor: Actor,
      input: {
        code: string;
        name: string;
        kind: "hospital" | "pharmacy";
        areaCode: string;
        agreementFrom: string;
        agreementUntil: string;
      },
    ) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.institutions, input.areaCode);
      if (input.agreementUntil < input.agreementFrom)
        throw new DomainError("VALIDATION_FAILED", { summary: "agreementUntil: not before agreementFrom" });
      const row: Database["institutions"] = {
        id: timeOrderedId(),
        code: input.code,
        name: input.name,
        kind: input.kind,
        area_code: input.areaCode,
        agreement_from: input.agreementFrom,
        agreement_until: input.agreementUntil,
        created_at: clock.now().toISOString(),
      };
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertInstitution(trx, row);
          await audit.record(trx, actor, grant, {
            action: "institution.register",
            subjectType: "institution",
            subjectId: row.id,
            areaCode: row.area_code,
            after: {
              code: row.code,
              kind: row.kind,
              agreementFrom: row.agreement_from,
              agreementUntil: row.agreement_until,
            },
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new DomainError("CONCURRENT_MODIFICATION", { code: input.code });
        throw err;
      }
      institutionOfTerminal.clear();
      return institutionView(row);
    },

    async setAgreement(actor: Actor, code: string, input: { agreementFrom: string; agreementUntil: string }) {
      const institution = await repo.institutionByCode(db, code);
      if (!institution) throw new DomainError("INSTITUTION_NOT_FOUND", { code });
      const grant = authorize(actor, MEDICAL_PERMISSIONS.institutions, institution.area_code);
      if (input.agreementUntil < input.agreementFrom)
        throw new DomainError("VALIDATION_FAILED", { summary: "agreementUntil: not before agreementFrom" });
      await db.transaction().execute(async (trx) => {
        await repo.setAgreement(trx, institution.id, input.agreementFrom, input.agreementUntil);
        await audit.record(trx, actor, grant, {
          action: "institution.agreement",
          subjectType: "institution",
          subjectId: institution.id,
          areaCode: institution.area_code,
          before: { agreementFrom: institution.agreement_from, agreementUntil: institution.agreement_until },
          after: input,
        });
      });
      institutionOfTerminal.clear();
      return institutionView({
        ...institution,
        agreement_from: input.agreementFrom,
        agreement_until: input.agreementUntil,
      });
    },

    async attachTerminal(actor: Actor, code: string, terminalNo: string) {
      const institution = await repo.institutionByCode(db, code);
      if (!institution) throw new DomainError("INSTITUTION_NOT_FOUND", { code });
      const grant = authorize(actor, MEDICAL_PERMISSIONS.institutions, institution.area_code);
      const terminal = await deps.terminals.terminal(db, terminalNo);
      if (!terminal) throw new DomainError("TERMINAL_NOT_FOUND", { terminalNo });
      await db.transaction().execute(async (trx) => {
        await deps.terminals.setTerminalInstitution(trx, terminalNo, institution.id);
        await audit.record(trx, actor, grant, {
          action: "institution.terminal",
          subjectType: "institution",
          subjectId: institution.id,
          areaCode: institution.area_code,
          before: { institutionId: terminal.institution_id },
          after: { terminalNo },
        });
      });
      institutionOfTerminal.clear();
      return { terminalNo, institution: code };
    },

    async institutions(actor: Actor) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.read);
      const rows = await repo.institutionsIn(
        db,
        grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode),
      );
      return rows.map(institutionView);
    },
  };
}

function institutionView(r: Database["institutions"]) {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    kind: r.kind,
    areaCode: r.area_code,
    agreementFrom: r.agreement_from,
    agreementUntil: r.agreement_until,
  };
}
