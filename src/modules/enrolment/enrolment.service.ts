import { createHash, randomInt, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { createGroupCommit } from "../../db/group-commit.ts";
import type { Database, PersonRow } from "../../db/schema.ts";
import {
  type Actor,
  ADMINS,
  authorize,
  authorizeHolderOr,
  type Grant,
  type Role,
} from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { PERMISSIONS } from "../../shared/permissions.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import { readPii } from "../persons/pii.ts";
import type { RegionTable } from "../regions/regions.ts";
import type { EnrolmentRepository } from "./enrolment.repository.ts";
import {
  CHECK_DIAGNOSTICS,
  type CheckDiagnostic,
  canMove,
  coordinationArea,
  duplicatesOf,
  type EnrolmentStatus,
  mergeConflicts,
  onlineCheck,
  SCHEMES,
  type Scheme,
  survivorResolver,
} from "./enrolment.rules.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const ENROLMENT_PERMISSIONS = PERMISSIONS.enrolment;

/** Roles that see a holder's personal numbers and contact address in an online check. */
const CHECK_DETAIL_ROLES: readonly Role[] = ["outlet_clerk", ...ADMINS];

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

type EnrolmentRow = Database["enrolments"];

export type EnrolmentView = Readonly<{
  id: string;
  scheme: Scheme;
  areaCode: string;
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
export function createEnrolmentService(deps: {
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
}) {
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
    coordinationArea: e.coordination_area,
    personalNumber: e.personal_number,
    survivingNumber: survivorOf(e.personal_number),
    employerId: e.employer_id,
    startDate: e.start_date,
    status: e.status as EnrolmentStatus,
    statusReason: e.status_reason,
    version: Number(e.version),
  });

  async function event(
    trx: Transaction<Database>,
    actor: Actor,
    enrolmentId: string,
    action: string,
    from: string | null,
    to: string,
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
      status: e.status as EnrolmentStatus,
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
      status: e.status as EnrolmentStatus,
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
      role: c.actor_role,
      channel: c.channel,
      result: c.result,
    }));
  }

  return {
    flushChecks: () => checkLog.flush(),

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
      const from = row.status as EnrolmentStatus;
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

    /** What a merge would do; the review token must come back with the commit. */
    async previewMerge(
      actor: Actor,
      input: { idNumber: string; coordinationArea: string; survivor?: string },
    ) {
      authorize(actor, ENROLMENT_PERMISSIONS.manage, input.coordinationArea);
      const person = await personByIdNumber(input.idNumber);
      return mergeState(db, person, input.coordinationArea, input.survivor);
    },

    /**
     * Merges a person's personal numbers in an area at the social security centre: the holder's ID is
     * checked, one number survives and the others stay as aliases pointing to it; no enrolment or
     * history is rewritten. Refused when anything changed since the review.
     */
    async commitMerge(
      actor: Actor,
      input: {
        idNumber: string;
        coordinationArea: string;
        survivor: string;
        holderIdNumber: string;
        reviewToken: string;
        /** Enrolments to suspend with the merge, so the person is insured once per family. */
        suspend?: string[];
      },
    ) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.manage, input.coordinationArea);
      const person = await personByIdNumber(input.idNumber);
      if (cipher.blindIndex(input.holderIdNumber.trim().toUpperCase()) !== person.id_number_index)
        throw new DomainError("HOLDER_ID_MISMATCH");
      const at = clock.now().toISOString();
      return db.transaction().execute(async (trx) => {
        await deps.persons.lock(trx, person.id);
        const state = await mergeState(trx, person, input.coordinationArea, input.survivor);
        if (state.reviewToken !== input.reviewToken) throw new DomainError("CONCURRENT_MODIFICATION");
        const suspend = [...new Set(input.suspend ?? [])];
        const unknown = suspend.filter(
          (id) => !state.enrolments.some((e) => e.id === id && e.status === "active"),
        );
        if (unknown.length) throw new DomainError("ENROLMENT_NOT_FOUND", { enrolmentIds: unknown });
        const conflicts = mergeConflicts(state.enrolments, suspend);
        if (conflicts.length)
          throw new DomainError("MERGE_CONFLICT", {
            conflicts,
            families: conflicts.map((c) => c.family).join(", "),
          });
        for (const id of suspend) {
          const e = state.enrolments.find((x) => x.id === id)!;
          const reason = "合并个人编号，避免重复参保";
          if (
            !(await repo.setStatus(trx, id, e.version, {
              status: "suspended",
              status_reason: reason,
              updated_at: at,
            }))
          )
            throw new DomainError("CONCURRENT_MODIFICATION");
          await event(trx, actor, id, "status", "active", "suspended", reason);
        }
        for (const n of state.merged) {
          const r = await repo.mergeNumber(trx, n, state.survivor, at);
          if (Number(r.numUpdatedRows) !== 1) throw new DomainError("CONCURRENT_MODIFICATION");
        }
        await repo.markSurvivor(trx, state.survivor);
        await audit.record(trx, actor, grant, {
          action: "personal_number.merge",
          subjectType: "person",
          subjectId: person.id,
          areaCode: input.coordinationArea,
          after: {
            survivor: state.survivor,
            aliases: state.merged,
            ...(suspend.length ? { suspended: suspend } : {}),
          },
        });
        return { survivor: state.survivor, aliases: state.merged, suspended: suspend };
      });
    },

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
     * The online check at card reading: the insured status of the card's holder in the card's
     * coordination area, or a diagnostic with its cause and remedy. Every check is logged.
     */
    async check(
      actor: Actor,
      input: { cardNumber: string; cardIdCode?: string; idNumber?: string; name?: string },
    ) {
      const grant = authorize(actor, ENROLMENT_PERMISSIONS.check);
      const card = await deps.cards.byNumber(db, input.cardNumber);
      const person = card ? await deps.persons.byId(db, card.person_id) : undefined;
      let dataMatches = false;
      let pii: { name: string; address: string | null } | undefined;
      if (card && person) {
        pii = readPii(cipher, person);
        dataMatches =
          (input.cardIdCode === undefined || input.cardIdCode === card.card_id_code) &&
          (input.idNumber === undefined ||
            cipher.blindIndex(input.idNumber.trim().toUpperCase()) === person.id_number_index) &&
          (input.name === undefined || input.name.trim() === pii.name);
      }
      const area = card ? coordinationArea(card.area_code) : "";
      const day = today();
      const [numbers, enrolments, arrears] =
        card && person && dataMatches
          ? await Promise.all([
              repo.numbersOf(db, person.id, area),
              repo.enrolmentsOf(db, person.id, area),
              repo.arrearsActive(db, person.id, area, day),
            ])
          : [[], [], undefined];
      const outcome = onlineCheck({
        card: card && {
          cardIdCode: card.card_id_code,
          state: card.state,
          ssFunction: card.ss_function,
          validUntil: card.valid_until,
        },
        dataMatches,
        enrolments: enrolments.map((e) => ({
          scheme: e.scheme as Scheme,
          areaCode: e.area_code,
          status: e.status as EnrolmentStatus,
          personalNumber: e.personal_number,
        })),
        unmergedNumbers: numbers.filter((n) => !n.merged_into).map((n) => n.number),
        survivorOf: survivorResolver(numbers),
        arrearsActive: arrears !== undefined,
        today: day,
      });
      checkLog.enqueue({
        id: randomUUID(),
        card_number: input.cardNumber,
        card_id: card?.id ?? null,
        at: clock.now().toISOString(),
        actor_id: actor.id,
        actor_name: actor.name,
        actor_role: grant.role,
        channel: actor.channel,
        result: outcome.ok ? "INSURED" : outcome.diagnostic,
      });
      if (!outcome.ok) {
        const text = CHECK_DIAGNOSTICS[outcome.diagnostic as CheckDiagnostic];
        return {
          result: outcome.diagnostic,
          insured: false as const,
          diagnostic: { code: outcome.diagnostic, ...text },
        };
      }
      const detailed = CHECK_DETAIL_ROLES.includes(grant.role);
      return {
        result: "INSURED" as const,
        insured: true as const,
        cardNumber: input.cardNumber,
        medicalFunction: outcome.medicalFunction,
        medicalInsuranceNumber: outcome.medicalInsuranceNumber,
        coordinationArea: area,
        schemes: outcome.schemes,
        ...(detailed && person
          ? {
              holder: {
                personalNumbers: numbers.map((n) => ({ number: n.number, mergedInto: n.merged_into })),
                address: pii?.address ?? null,
              },
            }
          : {}),
      };
    },

    /** The online checks made on a card, newest first (who, when, result), for staff of the card's area. */
    async checksOfCard(actor: Actor, cardNumber: string) {
      if (actor.type !== "holder") authorize(actor, ENROLMENT_PERMISSIONS.read);
      const card = await deps.cards.byNumber(db, cardNumber);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      authorizeHolderOr(actor, ENROLMENT_PERMISSIONS.read, card.person_id, card.area_code);
      return checksOf(card.id);
    },

    /**
     * The holder's own view of the checks on the card (kiosk, 12333, counter): the holder proves it
     * with the card's social security password, which counts towards the lockout like any attempt.
     */
    async checksForHolder(actor: Actor, cardNumber: string, input: { pin: string; source: string }) {
      await deps.verifyHolderPassword(actor, cardNumber, input.pin, input.source);
      const card = await deps.cards.byNumber(db, cardNumber);
      if (!card) throw new DomainError("CARD_NOT_FOUND");
      return checksOf(card.id);
    },
  };
}

export type EnrolmentService = ReturnType<typeof createEnrolmentService>;
