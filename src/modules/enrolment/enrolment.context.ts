import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { createGroupCommit } from "../../db/group-commit.ts";
import type { Database, PersonRow } from "../../db/schema.ts";
import { type Actor, ADMINS, type Grant, type Role } from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { RegionTable } from "../regions/regions.ts";
import type { EnrolmentRepository } from "./enrolment.repository.ts";
import {
  coordinationArea,
  duplicatesOf,
  type EnrolmentStatus,
  mergeConflicts,
  SCHEMES,
  type Scheme,
} from "./enrolment.rules.ts";

/** Roles that see a holder's personal numbers and contact address in an online check. */
export const CHECK_DETAIL_ROLES: readonly Role[] = ["outlet_clerk", ...ADMINS];

export type EnrolInput = Readonly<{
  idNumber: string;
  scheme: Scheme;
  /** The county (or city) where the person is enrolled. */
  areaCode: string;
  startDate: string;
  employerId?: string | null;
  /** Suspend the person's active enrolments of the same family in other counties of the area (a move). */
  suspendOther?: { reason: string };
}>;

export type EnrolmentRow = Database["enrolments"];

export type EnrolmentView = Readonly<{
  id: string;
  scheme: Scheme;
  areaCode: string;
  /** The county (or city) by its full name, e.g. 浙江省杭州市西湖区. */
  areaName: string;
  coordinationArea: string;
  personalNumber: string;
  /** The number the personal number is merged into, when it was. */
  survivingNumber: string;
  employerId: string | null;
  startDate: string;
  status: EnrolmentStatus;
  statusReason: string | null;
  version: number;
}>;

/**
 * Insurance enrolment: enrolments with personal numbers per coordination area, moves between
 * counties, status changes with their history, merging personal numbers, arrears, and the online
 * check a hospital or pharmacy makes when it reads a card.
 */
/** What the enrolment use cases are made from. */
export type EnrolmentDeps = {
  db: Kysely<Database>;
  repo: EnrolmentRepository;
  persons: PersonsRepository;
  /** The persons service's lookup by ID number (validates the number). */
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  cards: CardsRepository;
  /** Checks the holder's social security password (query purpose), as the credentials service does for every channel. */
  verifyHolderPassword: (actor: Actor, cardNumber: string, pin: string, source: string) => Promise<unknown>;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
  /** The months a person paid in a coordination area (the medical module's contributions). */
  paidMonths: (q: Kysely<Database>, personId: string, area: string) => Promise<string[]>;
  /** How many unpaid months an area's policy in force allows before the medical function is suspended. */
  arrearsGraceMonths: (area: string) => Promise<number>;
  /**
   * A temporary medical certificate by its number (the certificates register): the replacement card it
   * stands for and whether it is valid today.
   */
  temporaryCertificate: (
    q: Kysely<Database>,
    serial: string,
  ) => Promise<{ cardId: string; valid: boolean } | undefined>;
  /** The name of the institution or outlet a grant acts for (an online check records where it was made). */
  placeOf?: (grant: Grant) => Promise<string | null>;
  /**
   * The check of a card this province does not hold, through the national hub to its home province
   * (issue 24): undefined when no province holds it; throws when the answer cannot be had.
   */
  remoteCheck?: (input: {
    cardNumber: string;
    cardIdCode?: string;
    idNumber?: string;
    name?: string;
    role: string;
  }) => Promise<RemoteCheckAnswer | undefined>;
};

/** A home province's answer to a cross-province check, as the hub passes it back. */
export type RemoteCheckAnswer = Readonly<{
  result: string;
  insured: boolean;
  medicalFunction?: "active";
  medicalInsuranceNumber?: string;
  coordinationArea?: string;
  schemes?: readonly { scheme: string; status: string; areaCode: string }[];
  homeProvince: string;
  homeProvinceName: string;
  source: "home" | "registry";
}>;

/** The helpers the enrolment use cases share: persons by ID number, personal numbers, events, merges, the check log. */
export function createEnrolmentContext(deps: EnrolmentDeps) {
  const { db, repo, audit, clock, cipher, regions } = deps;
  const today = () => chinaDate(clock.now());
  // Check records are a log: written in groups at most 50 ms late, so a busy reader pays for a commit
  // (and its fsync) about twenty times a second instead of at every check; larger groups stall the
  // event loop longer (about 12 µs a row on SQLite) and raise the p99.
  const checkLog = createGroupCommit<Database["card_checks"]>({
    db,
    write: repo.insertChecks,
    maxDelayMs: 50,
    maxBatch: 500,
  });

  async function personByIdNumber(idNumber: string): Promise<PersonRow> {
    const row = await deps.findPerson(db, idNumber);
    if (!row) throw new DomainError("PERSON_NOT_FOUND");
    return row;
  }

  function validArea(areaCode: string) {
    if (!regions.get(areaCode)) throw new DomainError("AREA_NOT_FOUND", { code: areaCode });
  }

  function notInFuture(field: string, date: string) {
    if (date > today())
      throw new DomainError("VALIDATION_FAILED", { summary: `${field}: a date not after ${today()}` });
  }

  /** Each number's surviving number (itself unless merged, following chains). */
  const view = (e: EnrolmentRow, survivorOf: (n: string) => string): EnrolmentView => ({
    id: e.id,
    scheme: e.scheme as Scheme,
    areaCode: e.area_code,
    areaName: regions.fullName(e.area_code) ?? e.area_code,
    coordinationArea: e.coordination_area,
    personalNumber: e.personal_number,
    survivingNumber: survivorOf(e.personal_number),
    employerId: e.employer_id,
    startDate: e.start_date,
    status: e.status,
    statusReason: e.status_reason,
    version: Number(e.version),
  });

  async function event(
    trx: Transaction<Database>,
    actor: Actor,
    enrolmentId: string,
    action: string,
    from: EnrolmentStatus | null,
    to: EnrolmentStatus,
    reason: string | null,
  ) {
    await repo.insertEvent(trx, {
      id: randomUUID(),
      enrolment_id: enrolmentId,
      at: clock.now().toISOString(),
      action,
      from_status: from,
      to_status: to,
      reason,
      actor_id: actor.id,
    });
  }

  /** The person's number for a scheme's register in the area, made when there is none. */
  async function numberFor(trx: Transaction<Database>, person: PersonRow, area: string, scheme: Scheme) {
    const kind = SCHEMES[scheme].kind;
    const numbers = await repo.numbersOf(trx, person.id, area);
    const live = numbers.filter((n) => !n.merged_into);
    const usable = live.find((n) => n.kind === kind || n.kind === "merged");
    if (usable) return usable.number;
    const number = `${area}${String(randomInt(0, 10_000_000_000)).padStart(10, "0")}`;
    await repo.insertNumber(trx, {
      number,
      person_id: person.id,
      coordination_area: area,
      kind,
      merged_into: null,
      merged_at: null,
      created_at: clock.now().toISOString(),
    });
    return number;
  }

  /**
   * Enrols a person inside a transaction the caller holds (the employer registration uses it too).
   * Returns the enrolment and the live enrolments of the same family in other counties; with
   * `suspendOther` those are suspended in the same transaction.
   */
  async function enrolIn(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    person: PersonRow,
    input: EnrolInput,
  ) {
    const area = coordinationArea(input.areaCode);
    await deps.persons.lock(trx, person.id);
    const existing = await repo.enrolmentsOf(trx, person.id, area);
    const live = existing.map((e) => ({
      ...e,
      scheme: e.scheme as Scheme,
      areaCode: e.area_code,
      status: e.status,
    }));
    if (live.some((e) => e.scheme === input.scheme && e.areaCode === input.areaCode && e.status === "active"))
      throw new DomainError("ALREADY_ENROLLED", { scheme: input.scheme, areaCode: input.areaCode });
    const duplicates = duplicatesOf(live, input.scheme, input.areaCode);
    const at = clock.now().toISOString();
    if (input.suspendOther) {
      for (const d of duplicates) {
        if (
          !(await repo.setStatus(trx, d.id, Number(d.version), {
            status: "suspended",
            status_reason: input.suspendOther.reason,
            updated_at: at,
          }))
        )
          throw new DomainError("CONCURRENT_MODIFICATION");
        await event(trx, actor, d.id, "suspend_for_move", d.status, "suspended", input.suspendOther.reason);
        await audit.record(trx, actor, grant, {
          action: "enrolment.suspend",
          subjectType: "enrolment",
          subjectId: d.id,
          areaCode: d.area_code,
          before: { status: d.status },
          after: { status: "suspended", reason: input.suspendOther.reason, movedTo: input.areaCode },
        });
      }
    }
    const row: EnrolmentRow = {
      id: randomUUID(),
      person_id: person.id,
      personal_number: await numberFor(trx, person, area, input.scheme),
      scheme: input.scheme,
      area_code: input.areaCode,
      coordination_area: area,
      employer_id: input.employerId ?? null,
      start_date: input.startDate,
      status: "active",
      status_reason: null,
      version: 1,
      created_at: at,
      updated_at: at,
    };
    await repo.insertEnrolment(trx, row);
    await event(trx, actor, row.id, "enrol", null, "active", null);
    await audit.record(trx, actor, grant, {
      action: "enrolment.create",
      subjectType: "enrolment",
      subjectId: row.id,
      areaCode: input.areaCode,
      after: { scheme: row.scheme, personalNumber: row.personal_number, employerId: row.employer_id },
    });
    return { row, duplicates: input.suspendOther ? [] : duplicates.map((d) => d.id) };
  }

  function checkEnrolInput(input: EnrolInput) {
    validArea(input.areaCode);
    notInFuture("startDate", input.startDate);
  }

  /** A person's numbers and enrolments in an area, with the state a merge starts from. */
  async function mergeState(q: Kysely<Database>, person: PersonRow, area: string, survivor?: string) {
    const numbers = await repo.numbersOf(q, person.id, area);
    const live = numbers.filter((n) => !n.merged_into);
    if (live.length < 2) throw new DomainError("NOTHING_TO_MERGE");
    const keep = survivor ?? live[0].number;
    if (!live.some((n) => n.number === keep))
      throw new DomainError("VALIDATION_FAILED", {
        summary: "survivor: one of the person's unmerged numbers",
      });
    const merged = live.filter((n) => n.number !== keep).map((n) => n.number);
    const enrolments = await repo.enrolmentsOf(q, person.id, area);
    const state = JSON.stringify({
      keep,
      merged,
      enrolments: enrolments.map((e) => [e.id, e.version, e.personal_number]),
    });
    const views = enrolments.map((e) => ({
      id: e.id,
      scheme: e.scheme as Scheme,
      personalNumber: e.personal_number,
      status: e.status,
      version: Number(e.version),
    }));
    return {
      survivor: keep,
      merged,
      enrolments: views,
      conflicts: mergeConflicts(views),
      reviewToken: createHash("sha256").update(state).digest("hex").slice(0, 32),
    };
  }

  async function checksOf(cardId: string) {
    await checkLog.flush();
    return (await repo.checksOf(db, cardId)).map((c) => ({
      at: c.at,
      checkedBy: c.actor_name,
      place: c.place,
      role: c.actor_role,
      channel: c.channel,
      result: c.result,
    }));
  }

  return {
    deps,
    db,
    repo,
    audit,
    clock,
    cipher,
    regions,
    personByIdNumber,
    validArea,
    notInFuture,
    event,
    numberFor,
    enrolIn,
    checkEnrolInput,
    mergeState,
    checksOf,
    today,
    checkLog,
    view,
  };
}

export type EnrolmentContext = ReturnType<typeof createEnrolmentContext>;
