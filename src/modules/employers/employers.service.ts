import { randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { Database, PersonRow } from "../../db/schema.ts";
import { type Actor, areaPrefix, authorize, type Grant } from "../../shared/auth.ts";
import { addDays, type Clock, chinaDate } from "../../shared/clock.ts";
import { creditCodeProblem } from "../../shared/credit-code.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { parseCsv } from "../../shared/csv.ts";
import { DomainError, isDomainError } from "../../shared/errors.ts";
import type { Permission } from "../../shared/permissions.ts";
import type { AuditService } from "../audit/audit.service.ts";
import {
  daysBetween,
  EMPLOYEE_SCHEMES,
  REGISTRATION_DAYS,
  registrationLate,
  registrationOverdue,
  SCHEMES,
  type Scheme,
} from "../enrolment/enrolment.rules.ts";
import type { EnrolmentService } from "../enrolment/enrolment.service.ts";
import { ETHNICITIES } from "../persons/ethnicity.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import type { PersonsService } from "../persons/persons.service.ts";
import type { RegionTable } from "../regions/regions.ts";
import { EMPLOYER_PERMISSIONS } from "./employers.permissions.ts";
import type { EmployersRepository } from "./employers.repository.ts";

export { EMPLOYER_PERMISSIONS };

export type EmployeeInput = Readonly<{
  idNumber: string;
  /** Needed when the person is not registered yet (then also `ethnicity`). */
  name?: string;
  ethnicity?: string;
  hiredOn: string;
  /** The county where the employee is insured; the employer's area unless told. */
  areaCode?: string;
  schemes?: readonly Scheme[];
}>;

type EmployerRow = Database["employers"];

/**
 * Employers (units) and their duty to register each new employee with the social insurance agency
 * within 30 days of hiring (Social Insurance Law art. 58): single and CSV registrations, hires
 * declared but not yet registered, and the report of overdue registrations.
 */
export function createEmployersService(deps: {
  db: Kysely<Database>;
  repo: EmployersRepository;
  enrolment: EnrolmentService;
  persons: PersonsService;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
}) {
  const { db, repo, audit, clock, cipher, regions } = deps;
  const today = () => chinaDate(clock.now());

  const toView = (e: EmployerRow) => {
    const contact = JSON.parse(cipher.decrypt(e.contact_enc)) as { name: string; phone: string };
    return {
      id: e.id,
      creditCode: e.credit_code,
      name: e.name,
      areaCode: e.area_code,
      contactName: contact.name,
      contactPhone: contact.phone,
      createdAt: e.created_at,
    };
  };

  /** The employer, if the actor may act for it: its area's staff, or its own operators only. */
  async function employerFor(
    actor: Actor,
    permission: Permission,
    id: string,
  ): Promise<{ employer: EmployerRow; grant: Grant }> {
    authorize(actor, permission);
    const employer = await repo.byId(db, id);
    if (!employer) throw new DomainError("EMPLOYER_NOT_FOUND", { id });
    const grant = authorize(actor, permission, employer.area_code);
    if (grant.role === "employer_operator" && grant.employerId !== employer.id)
      throw new DomainError("EMPLOYER_NOT_FOUND", { id });
    return { employer, grant };
  }

  /** Field errors of one employee row, or the parsed values. */
  function checkEmployee(
    employer: EmployerRow,
    input: EmployeeInput,
  ): { errors: { field: string; problem: string }[] } {
    const errors: { field: string; problem: string }[] = [];
    const id = parseIdNumber(input.idNumber ?? "", today(), regions);
    if (!id.ok) errors.push({ field: "idNumber", problem: `invalid ID number: ${id.problem}` });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.hiredOn ?? "") || Number.isNaN(Date.parse(input.hiredOn)))
      errors.push({ field: "hiredOn", problem: "a date YYYY-MM-DD" });
    else if (input.hiredOn > today())
      errors.push({ field: "hiredOn", problem: `in the future (today is ${today()})` });
    const area = input.areaCode ?? employer.area_code;
    if (!regions.get(area)) errors.push({ field: "areaCode", problem: "not a GB/T 2260 region code" });
    for (const s of input.schemes ?? [])
      if (!(s in SCHEMES) || SCHEMES[s].kind !== "employee")
        errors.push({ field: "schemes", problem: `${s} is not an employee scheme` });
    if (input.name !== undefined && !input.name.trim()) errors.push({ field: "name", problem: "empty" });
    if (input.ethnicity !== undefined && !(input.ethnicity in ETHNICITIES))
      errors.push({ field: "ethnicity", problem: "unknown ethnicity code" });
    return { errors };
  }

  /**
   * Registers one employee inside the caller's transaction: the person (when new), the employment with
   * its hiring date and lateness, and the enrolments in the employee schemes.
   */
  async function registerIn(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant,
    employer: EmployerRow,
    input: EmployeeInput,
  ) {
    const areaCode = input.areaCode ?? employer.area_code;
    let person: PersonRow | undefined = await deps.persons.rowByIdNumber(trx, input.idNumber);
    if (!person) {
      if (!input.name || !input.ethnicity)
        throw new DomainError("VALIDATION_FAILED", {
          summary: "name and ethnicity: needed for a person not yet registered",
        });
      // A person belongs to a card-issuing area: the city of the county where the employee is insured.
      person = await deps.persons.registerIn(trx, actor, grant, {
        idNumber: input.idNumber,
        name: input.name,
        ethnicity: input.ethnicity,
        areaCode: `${areaCode.slice(0, 4)}00`,
      });
    }
    const registeredOn = today();
    const late = registrationLate(input.hiredOn, registeredOn);
    const declared = await repo.openEmployment(trx, employer.id, person.id);
    const employmentId = declared?.id ?? randomUUID();
    if (declared) await repo.markRegistered(trx, declared.id, registeredOn, late);
    else
      await repo.insertEmployment(trx, {
        id: employmentId,
        employer_id: employer.id,
        person_id: person.id,
        hired_on: input.hiredOn,
        registered_on: registeredOn,
        late: late ? 1 : 0,
        created_at: clock.now().toISOString(),
      });
    const enrolments = [];
    for (const scheme of input.schemes ?? EMPLOYEE_SCHEMES) {
      const r = await deps.enrolment.enrolIn(trx, actor, grant, person, {
        idNumber: input.idNumber,
        scheme,
        areaCode,
        startDate: input.hiredOn,
        employerId: employer.id,
      });
      enrolments.push({
        id: r.row.id,
        scheme,
        personalNumber: r.row.personal_number,
        duplicatesInArea: r.duplicates,
      });
    }
    await audit.record(trx, actor, grant, {
      action: "employer.employee.register",
      subjectType: "employer",
      subjectId: employer.id,
      areaCode: employer.area_code,
      after: { person: person.id_number_masked, hiredOn: input.hiredOn, registeredOn, late },
    });
    return { employmentId, late, daysAfterHiring: daysBetween(input.hiredOn, registeredOn), enrolments };
  }

  return {
    async register(
      actor: Actor,
      input: {
        creditCode: string;
        name: string;
        areaCode: string;
        contactName: string;
        contactPhone: string;
      },
    ) {
      const grant = authorize(actor, EMPLOYER_PERMISSIONS.register, input.areaCode);
      const code = input.creditCode.trim().toUpperCase();
      const problem = creditCodeProblem(code, (r) => regions.get(r) !== undefined);
      if (problem) throw new DomainError("INVALID_CREDIT_CODE", { reason: problem });
      if (!regions.get(input.areaCode)) throw new DomainError("AREA_NOT_FOUND", { code: input.areaCode });
      const now = clock.now().toISOString();
      const row: EmployerRow = {
        id: randomUUID(),
        credit_code: code,
        name: input.name.trim(),
        area_code: input.areaCode,
        contact_enc: cipher.encrypt(JSON.stringify({ name: input.contactName, phone: input.contactPhone })),
        version: 1,
        created_at: now,
        updated_at: now,
      };
      const exists = () => new DomainError("EMPLOYER_EXISTS", { creditCode: code });
      await uniqueAs(
        db.transaction().execute(async (trx) => {
          if (await repo.byCreditCode(trx, code)) throw exists();
          await repo.insert(trx, row);
          await audit.record(trx, actor, grant, {
            action: "employer.register",
            subjectType: "employer",
            subjectId: row.id,
            areaCode: row.area_code,
            after: { creditCode: code, name: row.name },
          });
        }),
        exists,
      );
      return toView(row);
    },

    async get(actor: Actor, id: string) {
      return toView((await employerFor(actor, EMPLOYER_PERMISSIONS.read, id)).employer);
    },

    /**
     * An employer's employees: each hire, when it was registered, and whether it is overdue (registered
     * later than 30 days after hiring, or not registered and the 30 days have passed).
     */
    async employees(actor: Actor, id: string) {
      const { employer } = await employerFor(actor, EMPLOYER_PERMISSIONS.read, id);
      const rows = await repo.employmentsOf(db, employer.id);
      const day = today();
      return rows.map((r) => ({
        employmentId: r.id,
        idNumberMasked: r.id_number_masked,
        nameMasked: r.name_masked,
        hiredOn: r.hired_on,
        registeredOn: r.registered_on,
        registerBy: addDays(r.hired_on, REGISTRATION_DAYS),
        overdue: registrationOverdue(r.hired_on, r.registered_on, day),
      }));
    },

    /** Registers one new employee (all or nothing). */
    async registerEmployee(actor: Actor, employerId: string, input: EmployeeInput) {
      const { employer, grant } = await employerFor(actor, EMPLOYER_PERMISSIONS.employees, employerId);
      const { errors } = checkEmployee(employer, input);
      if (errors.length)
        throw new DomainError("VALIDATION_FAILED", {
          summary: errors.map((e) => `${e.field}: ${e.problem}`).join("; "),
          errors,
        });
      return db.transaction().execute((trx) => registerIn(trx, actor, grant, employer, input));
    },

    /**
     * Registers employees from CSV (`id_number,name,ethnicity,hired_on[,area_code]`). Every row is
     * checked first; when any has an error nothing is written and the report says which fields are
     * wrong, otherwise all rows are written in one transaction.
     */
    async registerEmployeesCsv(actor: Actor, employerId: string, csv: string) {
      const { employer, grant } = await employerFor(actor, EMPLOYER_PERMISSIONS.employees, employerId);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["id_number", "hired_on"].filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const seen = new Set<string>();
      const rows = parsed.rows.map(({ line, values }) => {
        const input: EmployeeInput = {
          idNumber: values.id_number ?? "",
          name: values.name || undefined,
          ethnicity: values.ethnicity || undefined,
          hiredOn: values.hired_on ?? "",
          areaCode: values.area_code || undefined,
        };
        const { errors } = checkEmployee(employer, input);
        if (values.__extra) errors.push({ field: "line", problem: "more fields than columns" });
        const key = input.idNumber.trim().toUpperCase();
        if (seen.has(key))
          errors.push({ field: "idNumber", problem: "the same ID number appears earlier in the file" });
        seen.add(key);
        return { line, input, errors };
      });
      const rejected = rows.filter((r) => r.errors.length);
      if (rejected.length)
        return {
          imported: 0,
          rejected: rejected.length,
          rows: rows.map((r) => ({
            line: r.line,
            status: r.errors.length ? ("rejected" as const) : ("not_imported" as const),
            errors: r.errors,
          })),
        };
      const results = await db.transaction().execute(async (trx) => {
        const out = [];
        for (const r of rows) {
          try {
            out.push({ line: r.line, ...(await registerIn(trx, actor, grant, employer, r.input)) });
          } catch (err) {
            if (isDomainError(err))
              throw new DomainError("CSV_INVALID", { reason: `line ${r.line}: ${err.code}`, line: r.line });
            throw err;
          }
        }
        return out;
      });
      return {
        imported: results.length,
        rejected: 0,
        rows: results.map((r) => ({
          line: r.line,
          status: "imported" as const,
          errors: [],
          late: r.late,
          enrolments: r.enrolments.length,
        })),
      };
    },

    /** Declares a hire (labour contract filed) before the registration; the report shows it until registered. */
    async declareHire(actor: Actor, employerId: string, input: { idNumber: string; hiredOn: string }) {
      const { employer, grant } = await employerFor(actor, EMPLOYER_PERMISSIONS.employees, employerId);
      const { errors } = checkEmployee(employer, { idNumber: input.idNumber, hiredOn: input.hiredOn });
      if (errors.length)
        throw new DomainError("VALIDATION_FAILED", {
          summary: errors.map((e) => `${e.field}: ${e.problem}`).join("; "),
          errors,
        });
      const person = await deps.persons.rowByIdNumber(db, input.idNumber);
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      const id = randomUUID();
      await db.transaction().execute(async (trx) => {
        if (await repo.openEmployment(trx, employer.id, person.id))
          throw new DomainError("CONCURRENT_MODIFICATION");
        await repo.insertEmployment(trx, {
          id,
          employer_id: employer.id,
          person_id: person.id,
          hired_on: input.hiredOn,
          registered_on: null,
          late: 0,
          created_at: clock.now().toISOString(),
        });
        await audit.record(trx, actor, grant, {
          action: "employer.hire.declare",
          subjectType: "employer",
          subjectId: employer.id,
          areaCode: employer.area_code,
          after: { person: person.id_number_masked, hiredOn: input.hiredOn },
        });
      });
      return {
        employmentId: id,
        registerBy: new Date(Date.parse(input.hiredOn) + REGISTRATION_DAYS * 86_400_000)
          .toISOString()
          .slice(0, 10),
      };
    },

    /** Employers of an area with late registrations, and hires not registered within 30 days. */
    async overdueReport(actor: Actor, areaCode: string) {
      authorize(actor, EMPLOYER_PERMISSIONS.report, areaCode);
      const cutoff = new Date(Date.parse(`${today()}T00:00:00Z`) - REGISTRATION_DAYS * 86_400_000)
        .toISOString()
        .slice(0, 10);
      const rows = await repo.overdue(db, areaPrefix(areaCode), cutoff);
      return rows.map((r) => ({
        employerId: r.employer_id,
        creditCode: r.credit_code,
        employerName: r.employer_name,
        areaCode: r.area_code,
        idNumberMasked: r.id_number_masked,
        nameMasked: r.name_masked,
        hiredOn: r.hired_on,
        registeredOn: r.registered_on,
        kind: r.registered_on ? ("registered_late" as const) : ("not_registered" as const),
        daysAfterHiring: daysBetween(r.hired_on, r.registered_on ?? today()),
      }));
    },
  };
}

export type EmployersService = ReturnType<typeof createEmployersService>;
