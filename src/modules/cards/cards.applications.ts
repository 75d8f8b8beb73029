import type { Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import type { Database } from "../../db/schema.ts";
import { type Actor, authorize } from "../../shared/auth.ts";
import { creditCodeProblem } from "../../shared/credit-code.ts";
import { parseCsv } from "../../shared/csv.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import type { RowReason } from "../../shared/row-reasons.ts";
import { GUARDIAN_AGE, needsGuardian } from "../persons/age.rules.ts";
import { ETHNICITIES } from "../persons/ethnicity.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import { readPii } from "../persons/pii.ts";
import type { ApplyInput, CardsContext, RowReport } from "./cards.context.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";

/** An individual's application and an employer's applications from CSV. */
export function cardApplications(ctx: CardsContext) {
  const {
    deps,
    db,
    persons,
    clock,
    cipher,
    regions,
    today,
    holderOf,
    toView,
    validIdNumber,
    insertApplication,
    checkProvinceSlot,
    requireArea,
  } = ctx;
  /**
   * The guardian of an applicant under 16, checked and masked for the record: required for a child,
   * refused for an adult (who applies in person), and never the child themself.
   */
  function guardianOf(
    person: { birth_date: string; id_number_index: string },
    guardian: ApplyInput["guardian"],
  ) {
    const child = needsGuardian(person.birth_date, today());
    if (child && !guardian) throw new DomainError("GUARDIAN_REQUIRED", { age: GUARDIAN_AGE });
    if (!guardian) return undefined;
    if (!child)
      throw new DomainError("VALIDATION_FAILED", { summary: "guardian: only for an applicant under 16" });
    const idNumber = validIdNumber(guardian.idNumber);
    if (cipher.blindIndex(idNumber) === person.id_number_index)
      throw new DomainError("VALIDATION_FAILED", { summary: "guardian: not the applicant" });
    return {
      idNumber: maskIdNumber(idNumber),
      name: maskName(guardian.name.trim()),
      relation: guardian.relation,
    };
  }
  return {
    /** An individual's application at an outlet or online: the person must be registered, with no card in the province. */
    async apply(actor: Actor, input: ApplyInput) {
      const grant = authorize(actor, CARD_PERMISSIONS.apply, input.areaCode);
      await requireArea(input.areaCode);
      const person = await persons.byIndex(db, cipher.blindIndex(validIdNumber(input.idNumber)));
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const photoRef = input.photoRef ?? person.photo_ref;
      if (!photoRef) throw new DomainError("PHOTO_REQUIRED");
      const guardian = guardianOf(person, input.guardian);
      // The national slot first, outside the transaction: the hub's answer never holds a lock here.
      await deps.reserveNationalSlot?.(person);
      const card = await db.transaction().execute(async (trx) => {
        await persons.lock(trx, person.id);
        await checkProvinceSlot(trx, person.id, input.areaCode);
        return insertApplication(
          trx,
          actor,
          grant,
          {
            person_id: person.id,
            area_code: input.areaCode,
            application_kind: "new",
            photo_ref: photoRef,
            bank_code: input.bankCode ?? null,
          },
          guardian ? { guardian } : {},
        );
      });
      return toView(card, holderOf(person), null);
    },

    /**
     * An employer's applications for its employees from CSV. Each row is checked and written on its
     * own: accepted rows go through, rejected rows say why and write nothing.
     */
    async applyBatch(
      actor: Actor,
      input: { areaCode: string; csv: string },
      onProgress?: (done: number, total: number) => void,
    ): Promise<{ accepted: number; rejected: number; rows: RowReport[] }> {
      const grant = authorize(actor, CARD_PERMISSIONS.apply, input.areaCode);
      await requireArea(input.areaCode);
      const parsed = parseCsv(input.csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const required = ["id_number", "name", "ethnicity", "employer_code", "employer_name"];
      const missing = required.filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });

      const reports: RowReport[] = [];
      const seen = new Set<string>();
      type Ready = { line: number; idNumber: string; index: string; values: Record<string, string> };
      const ready: Ready[] = [];
      for (const { line, values } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          reports.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        if (values.__extra) {
          reject("more_fields");
          continue;
        }
        const id = parseIdNumber(values.id_number, today(), regions);
        if (!id.ok) {
          reject("invalid_id_number", { detail: id.problem });
          continue;
        }
        if (!values.name) {
          reject("name_empty");
          continue;
        }
        if (!(values.ethnicity in ETHNICITIES)) {
          reject("unknown_ethnicity");
          continue;
        }
        if (values.phone && !/^[0-9+\- ]{5,20}$/.test(values.phone)) {
          reject("invalid_phone");
          continue;
        }
        if (values.bank_code && !/^[A-Z0-9]{2,16}$/.test(values.bank_code)) {
          reject("invalid_bank_code");
          continue;
        }
        const creditProblem = creditCodeProblem(values.employer_code, (r) => regions.get(r) !== undefined);
        if (creditProblem) {
          reject("invalid_employer_code", { detail: `credit_${creditProblem}` });
          continue;
        }
        if (seen.has(id.facts.idNumber)) {
          reject("duplicate_in_file");
          continue;
        }
        seen.add(id.facts.idNumber);
        ready.push({
          line,
          idNumber: id.facts.idNumber,
          index: cipher.blindIndex(id.facts.idNumber),
          values,
        });
      }

      const _now = clock.now().toISOString();
      const writeRow = async (trx: Transaction<Database>, r: Ready): Promise<string> => {
        let person = await persons.byIndex(trx, r.index);
        if (person) {
          const name = readPii(cipher, person).name;
          if (name !== r.values.name) throw new DomainError("HOLDER_ID_MISMATCH");
        } else {
          person = await deps.registerPerson(trx, actor, grant, {
            idNumber: r.idNumber,
            name: r.values.name,
            ethnicity: r.values.ethnicity,
            areaCode: input.areaCode,
            phone: r.values.phone || null,
            photoRef: r.values.photo_ref || null,
          });
        }
        await persons.lock(trx, person.id);
        await checkProvinceSlot(trx, person.id, input.areaCode);
        const card = await insertApplication(trx, actor, grant, {
          person_id: person.id,
          area_code: input.areaCode,
          application_kind: "new",
          photo_ref: r.values.photo_ref || person.photo_ref,
          bank_code: r.values.bank_code || null,
          employer_code: r.values.employer_code,
          employer_name: r.values.employer_name,
        });
        return card.card_number;
      };

      const describe = (err: unknown): Pick<RowReport, "reasonCode" | "reasonParams"> => {
        if (err instanceof DomainError) {
          if (err.code === "CARD_ALREADY_HELD")
            return {
              reasonCode: "already_holds_card",
              reasonParams: { cardNumber: String(err.details?.cardNumber ?? "") },
            };
          if (err.code === "HOLDER_ID_MISMATCH") return { reasonCode: "name_differs" };
          return { reasonCode: "refused", reasonParams: { code: err.code } };
        }
        if (isUniqueViolation(err)) return { reasonCode: "registered_concurrently" };
        throw err;
      };

      // Rows in chunks, one transaction each; a chunk with a refused row is redone row by row.
      const CHUNK = 500;
      let done = 0;
      for (let i = 0; i < ready.length; i += CHUNK) {
        const chunk = ready.slice(i, i + CHUNK);
        try {
          const numbers = await db.transaction().execute(async (trx) => {
            const out: string[] = [];
            for (const r of chunk) out.push(await writeRow(trx, r));
            return out;
          });
          for (const [k, r] of chunk.entries())
            reports.push({ line: r.line, status: "accepted", cardNumber: numbers[k] });
        } catch {
          for (const r of chunk) {
            try {
              const n = await db.transaction().execute((trx) => writeRow(trx, r));
              reports.push({ line: r.line, status: "accepted", cardNumber: n });
            } catch (err) {
              reports.push({ line: r.line, status: "rejected", ...describe(err) });
            }
          }
        }
        done += chunk.length;
        onProgress?.(done, ready.length);
      }
      reports.sort((a, b) => a.line - b.line);
      const accepted = reports.filter((r) => r.status === "accepted").length;
      return { accepted, rejected: reports.length - accepted, rows: reports };
    },
  };
}
