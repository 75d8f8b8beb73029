import { randomInt, randomUUID } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { isUniqueViolation, uniqueAs } from "../../db/database.ts";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import {
  type Actor,
  authorize,
  authorizeHolderOr,
  findGrant,
  type Grant,
  holderPersonId,
} from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import type { PiiCipher } from "../../shared/crypto.ts";
import { DomainError } from "../../shared/errors.ts";
import { maskIdNumber, maskName } from "../../shared/mask.ts";
import type { RowReason } from "../../shared/messages.ts";
import { PERMISSIONS, type Permission } from "../../shared/permissions.ts";
import type { AreasRepository } from "../areas/areas.repository.ts";
import type { Policy } from "../areas/areas.rules.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { creditCodeProblem } from "../employers/credit-code.rules.ts";
import type { EmployersRepository } from "../employers/employers.repository.ts";
import type { Signer } from "../keys/signer.ts";
import { ETHNICITIES } from "../persons/ethnicity.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import type { PersonsRepository } from "../persons/persons.repository.ts";
import type { RegionTable } from "../regions/regions.ts";
import type { CardsRepository } from "./cards.repository.ts";
import {
  addDays,
  addWorkingDays,
  allowedActions,
  type CancelReason,
  type CardAction,
  type CardState,
  canSettle,
  duplicateAdvice,
  employerMayCollect,
  holderAllowedActions,
  holdsProvinceSlot,
  isBlacklisted,
  isValidCardNumber,
  missingCancelEvidence,
  newCardIdCode,
  newCardNumber,
  renewalWindowStart,
  transition,
  validityEnd,
  type WorkCalendar,
} from "./cards.rules.ts";
import { csvLine, parseCsv } from "./csv.ts";

/** Who may do what with cards; routes declare the same lists. */
/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const CARD_PERMISSIONS = PERMISSIONS.cards;

export const REPLACEMENT_REASONS = [
  "expiry",
  "damaged",
  "chip_failure",
  "data_changed",
  "photo_changed",
] as const;
export type ReplacementReason = (typeof REPLACEMENT_REASONS)[number] | "lost";

const SPEC_VERSION = "3.00";

/** A card as callers see it: no personal data beyond the masked holder. */
export type CardView = ReturnType<typeof toView>;

function toView(
  card: CardRow,
  holder: { idNumberMasked: string; nameMasked: string },
  replaces?: string | null,
) {
  const state = card.state as CardState;
  return {
    id: card.id,
    cardNumber: card.card_number,
    cardIdCode: card.card_id_code,
    specVersion: card.spec_version,
    cardType: card.card_type,
    state,
    socialSecurityFunction: card.ss_function,
    financialFunction: card.financial_function,
    bankCode: card.bank_code,
    areaCode: card.area_code,
    holder: { personId: card.person_id, ...holder },
    issueDate: card.issue_date,
    validUntil: card.valid_until,
    applicationKind: card.application_kind,
    replacesCardNumber: replaces ?? null,
    replacementReason: card.replacement_reason,
    tempCertificateNo: card.temp_certificate_no,
    readyDate: card.ready_date,
    feeFen: card.fee_fen,
    cancelReason: card.cancel_reason,
    canSettle: canSettle(state),
    allowedActions: allowedActions(state),
    version: card.version,
    createdAt: card.created_at,
    updatedAt: card.updated_at,
  };
}

export type ApplyInput = {
  idNumber: string;
  areaCode: string;
  photoRef?: string | null;
  bankCode?: string | null;
};

/** A row of a CSV file as imported; a rejected row's reason is a code the caller words in its language. */
export type RowReport = {
  line: number;
  status: "accepted" | "rejected";
  cardNumber?: string;
  reasonCode?: RowReason;
  reasonParams?: Record<string, string>;
};

/** The physical card's lifecycle: applications, production, issue, loss, replacement, renewal, cancellation. */
export function createCardsService(deps: {
  db: Kysely<Database>;
  cards: CardsRepository;
  persons: PersonsRepository;
  areasRepo: AreasRepository;
  areas: AreasService;
  audit: AuditService;
  clock: Clock;
  cipher: PiiCipher;
  regions: RegionTable;
  /** Signs what terminals check offline (the blacklist). */
  signer: Signer;
  /** The employers (collection by an employer: the one that applied or that employs the holder). */
  employers: Pick<EmployersRepository, "byCreditCode" | "hiredOn">;
  /** Run inside every state change's transaction (the e-card follows its card); filled in by the wiring. */
  stateHooks?: ((trx: Transaction<Database>, card: CardRow, from: CardState) => Promise<void>)[];
  /** Draws a random card number (tests replace it to force clashes). */
  drawCardNumber?: () => string;
  /** Gives a card its initial social security password when it is handed over (credentials module). */
  initialisePassword: (
    trx: Transaction<Database>,
    card: CardRow,
    policy: Pick<Policy, "initialPassword">,
  ) => Promise<void>;
}) {
  const { db, cards, persons, audit, clock, cipher, regions } = deps;
  const today = () => chinaDate(clock.now());

  const holderOf = (p: Pick<PersonRow, "id_number_masked" | "name_masked">) => ({
    idNumberMasked: p.id_number_masked,
    nameMasked: p.name_masked,
  });

  /**
   * An employer collects a card only with its letter of introduction, and only for a card it
   * applied for or for a holder it employs (Measures: the employer's agent collects for its staff).
   */
  async function checkCollectingEmployer(
    card: CardRow,
    input: { employerLetterRef?: string; employerCreditCode?: string },
  ) {
    if (!input.employerLetterRef || !input.employerCreditCode)
      throw new DomainError("VALIDATION_FAILED", {
        summary: "employerLetterRef, employerCreditCode: required when the employer collects",
      });
    const employer = await deps.employers.byCreditCode(db, input.employerCreditCode);
    if (!employer) throw new DomainError("EMPLOYER_NOT_FOUND", { creditCode: input.employerCreditCode });
    const employs = (await deps.employers.hiredOn(db, employer.id, card.person_id)) !== undefined;
    if (!employerMayCollect(card, employer.credit_code, employs))
      throw new DomainError("EMPLOYER_NOT_HOLDERS", { creditCode: employer.credit_code });
  }

  async function view(card: CardRow) {
    const person = await persons.byId(db, card.person_id);
    const replaces = card.replaces_card_id
      ? (await cards.byId(db, card.replaces_card_id))?.card_number
      : null;
    return toView(card, holderOf(person!), replaces);
  }

  /**
   * Legacy cards keep the numbers their old system printed, whose check character may follow another
   * rule: the check character is used only to tell a mistyped number from an unknown one.
   */
  async function cardByNumber(cardNumber: string): Promise<CardRow> {
    if (!/^[0-9A-Z]{9}$/.test(cardNumber)) throw new DomainError("INVALID_CARD_NUMBER", { cardNumber });
    const card = await cards.byNumber(db, cardNumber);
    if (card) return card;
    if (!isValidCardNumber(cardNumber)) throw new DomainError("INVALID_CARD_NUMBER", { cardNumber });
    throw new DomainError("CARD_NOT_FOUND");
  }

  /** Finds the card, checks the caller may act on it, and returns the grant that allows it. */
  async function scoped(
    actor: Actor,
    permission: Permission,
    cardNumber: string,
  ): Promise<{ card: CardRow; grant: Grant }> {
    authorize(actor, permission);
    const card = await cardByNumber(cardNumber);
    return { card, grant: authorize(actor, permission, card.area_code) };
  }

  /** Like `scoped`, for the actions a holder may also take on their own card (online service hall). */
  async function scopedOrHolder(
    actor: Actor,
    permission: Permission,
    cardNumber: string,
  ): Promise<{ card: CardRow; grant: Grant | undefined }> {
    if (actor.type !== "holder") return scoped(actor, permission, cardNumber);
    const card = await cardByNumber(cardNumber);
    return { card, grant: authorizeHolderOr(actor, permission, card.person_id) };
  }

  function validIdNumber(value: string) {
    const r = parseIdNumber(value, today(), regions);
    if (!r.ok) throw new DomainError("INVALID_ID_NUMBER", { reason: r.problem });
    return r.facts.idNumber;
  }

  /** The presented ID document must be the holder's. */
  async function checkHolder(card: CardRow, holderIdNumber: string) {
    const person = await persons.byId(db, card.person_id);
    if (!person || person.id_number_index !== cipher.blindIndex(validIdNumber(holderIdNumber))) {
      throw new DomainError("HOLDER_ID_MISMATCH");
    }
  }

  async function calendarFor(areaCode: string): Promise<WorkCalendar> {
    const chain = await deps.areas.chain(areaCode);
    const days = await cards.calendar(db, chain, addDays(today(), -1));
    const holidays = new Set<string>();
    const workdays = new Set<string>();
    // Nearest area first: a city's own entry for a date wins over its province's and the nation's.
    const seen = new Set<string>();
    for (const code of chain) {
      for (const d of days.filter((x) => x.area_code === code)) {
        if (seen.has(d.date)) continue;
        seen.add(d.date);
        (d.kind === "holiday" ? holidays : workdays).add(d.date);
      }
    }
    return { holidays, workdays };
  }

  /** Re-reads the card inside the transaction, holding it on PostgreSQL, so the state acted on is current. */
  async function current(trx: Transaction<Database>, id: string): Promise<CardRow> {
    const card = await cards.lockById(trx, id);
    if (!card) throw new DomainError("CARD_NOT_FOUND");
    return card;
  }

  /**
   * Applies a lifecycle action: checks the table, writes the new state by compare-and-set, and records
   * the history event and the audit record in the same transaction.
   */
  async function change(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    card: CardRow,
    action: CardAction,
    changes: Partial<CardRow> = {},
    details?: Record<string, unknown>,
  ): Promise<CardRow> {
    const from = card.state as CardState;
    const t = transition(from, action, card.state_before_loss as CardState | null);
    if (!t.ok) {
      throw new DomainError("CARD_ACTION_NOT_ALLOWED", {
        state: t.state,
        action,
        allowed: t.allowed,
        allowedText: t.allowed.join(", ") || "—",
      });
    }
    const at = clock.now().toISOString();
    const next: Partial<CardRow> = { ...changes, state: t.to, updated_at: at };
    if (!(await cards.update(trx, card.id, card.version, next)))
      throw new DomainError("CONCURRENT_MODIFICATION");
    const updated = { ...card, ...next, version: card.version + 1 } as CardRow;
    await recordEvent(trx, actor, grant, updated, action, from, details);
    // The blacklist changes in the same transaction: a loss reported is on the list when the report commits.
    if (isBlacklisted(from) !== isBlacklisted(t.to)) {
      await cards.appendBlacklistChange(trx, {
        card_id_code: card.card_id_code,
        area_code: card.area_code,
        action: isBlacklisted(t.to) ? "add" : "remove",
        state: t.to,
        at,
      });
    }
    for (const hook of deps.stateHooks ?? []) await hook(trx, updated, from);
    return updated;
  }

  async function recordEvent(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    card: CardRow,
    action: string,
    from: CardState | null,
    details?: Record<string, unknown>,
  ) {
    const role = grant?.role ?? actor.grants[0]?.role ?? "none";
    await cards.insertEvent(trx, {
      card_id: card.id,
      seq: card.version,
      at: clock.now().toISOString(),
      action,
      from_state: from,
      to_state: card.state,
      actor_type: actor.type,
      actor_id: actor.id,
      actor_role: role,
      channel: actor.channel,
      details: details ? JSON.stringify(details) : null,
    });
    await audit.record(trx, actor, grant, {
      action: `card.${action}`,
      subjectType: "card",
      subjectId: card.id,
      areaCode: card.area_code,
      before: from ? { state: from } : undefined,
      after: { state: card.state, cardNumber: card.card_number, ...details },
    });
  }

  /** Raises the partner bank's account-cancellation task when a card with an active financial function ends. */
  async function raiseBankTask(trx: Transaction<Database>, card: CardRow, reason: string) {
    if (card.financial_function !== "activated" || !card.bank_code) return;
    await cards.insertBankTask(trx, {
      id: randomUUID(),
      card_id: card.id,
      bank_code: card.bank_code,
      kind: "cancel_account",
      reason,
      status: "open",
      created_at: clock.now().toISOString(),
      done_at: null,
      done_by: null,
    });
  }

  /** The outlet (for bank clerks: the bank branch) a grant is tied to, if any. */
  async function outletOf(grant: Grant) {
    return grant.outletId ? deps.areasRepo.outlet(db, grant.outletId) : undefined;
  }

  /** Changes the financial function beside the lifecycle (compare-and-set), with its history event and audit record. */
  async function setFinancial(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant,
    card: CardRow,
    value: "activated" | "cancelled",
    action: string,
    details: Record<string, unknown>,
  ): Promise<CardRow> {
    const at = clock.now().toISOString();
    if (!(await cards.update(trx, card.id, card.version, { financial_function: value, updated_at: at }))) {
      throw new DomainError("CONCURRENT_MODIFICATION");
    }
    const next: CardRow = { ...card, financial_function: value, version: card.version + 1, updated_at: at };
    await recordEvent(trx, actor, grant, next, action, card.state as CardState, details);
    return next;
  }

  /** A new card record in state `applied` (number and identification code are unique; a clash is retried). */
  async function insertApplication(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    fields: Pick<CardRow, "person_id" | "area_code" | "application_kind" | "photo_ref" | "bank_code"> &
      Partial<CardRow>,
  ): Promise<CardRow> {
    const at = clock.now().toISOString();
    const row: CardRow = {
      id: randomUUID(),
      key_version: null,
      personalised_at: null,
      card_number: await freeCardNumber(trx),
      card_id_code: newCardIdCode(fields.area_code),
      spec_version: SPEC_VERSION,
      card_type: "standard",
      state: "applied",
      state_before_loss: null,
      ss_function: "not_activated",
      financial_function: "not_activated",
      application_channel: actor.channel,
      replaces_card_id: null,
      replacement_reason: null,
      employer_code: null,
      employer_name: null,
      batch_id: null,
      issue_date: null,
      valid_until: null,
      issued_to: null,
      employer_letter_ref: null,
      temp_certificate_no: null,
      ready_date: null,
      fee_fen: null,
      temporarily_lost_at: null,
      cancel_reason: null,
      version: 1,
      created_at: at,
      updated_at: at,
      ...fields,
    };
    // The unique constraints still guard against a number taken by a concurrent transaction between
    // the check and the insert: that rare clash answers as a conflict to retry, never a duplicate.
    await uniqueAs(cards.insert(trx, row), () => new DomainError("CONCURRENT_MODIFICATION"));
    await recordEvent(trx, actor, grant, row, "apply", null, {
      kind: row.application_kind,
      channel: row.application_channel,
      ...(fields.replacement_reason ? { reason: fields.replacement_reason } : {}),
    });
    return row;
  }

  /**
   * A card number not yet used: 2.6×10^8 possible numbers (letter, 7 digits, check character), so
   * random draws meet existing numbers as a deployment grows and are drawn again.
   */
  async function freeCardNumber(trx: Transaction<Database>): Promise<string> {
    for (let attempt = 0; attempt < 20; attempt++) {
      const candidate = (deps.drawCardNumber ?? newCardNumber)();
      if (!(await cards.byNumber(trx, candidate))) return candidate;
    }
    throw new DomainError("CONCURRENT_MODIFICATION");
  }

  /** One card per person per province, unless the new card replaces one of them. */
  async function checkProvinceSlot(trx: Transaction<Database>, personId: string, areaCode: string) {
    const held = (await cards.ofPersonInProvince(trx, personId, areaCode.slice(0, 2))).find((c) =>
      holdsProvinceSlot(c.state as CardState),
    );
    if (held) throw new DomainError("CARD_ALREADY_HELD", { cardNumber: held.card_number });
  }

  async function requireArea(areaCode: string) {
    if (!(await deps.areasRepo.get(db, areaCode)))
      throw new DomainError("AREA_NOT_FOUND", { code: areaCode });
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
      const card = await db.transaction().execute(async (trx) => {
        await persons.lock(trx, person.id);
        await checkProvinceSlot(trx, person.id, input.areaCode);
        return insertApplication(trx, actor, grant, {
          person_id: person.id,
          area_code: input.areaCode,
          application_kind: "new",
          photo_ref: photoRef,
          bank_code: input.bankCode ?? null,
        });
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

      const now = clock.now().toISOString();
      const writeRow = async (trx: Transaction<Database>, r: Ready): Promise<string> => {
        let person = await persons.byIndex(trx, r.index);
        if (person) {
          const name = (JSON.parse(cipher.decrypt(person.pii_enc)) as { name: string }).name;
          if (name !== r.values.name) throw new DomainError("HOLDER_ID_MISMATCH");
        } else {
          const facts = parseIdNumber(r.idNumber, today(), regions);
          if (!facts.ok) throw new DomainError("INVALID_ID_NUMBER", { reason: facts.problem });
          person = {
            id: randomUUID(),
            id_number_index: r.index,
            id_number_enc: cipher.encrypt(r.idNumber),
            id_number_masked: maskIdNumber(r.idNumber),
            pii_enc: cipher.encrypt(
              JSON.stringify({ name: r.values.name, phone: r.values.phone || null, address: null }),
            ),
            name_masked: maskName(r.values.name),
            sex: facts.facts.sex,
            birth_date: facts.facts.birthDate,
            birth_region_code: facts.facts.regionCode,
            ethnicity: r.values.ethnicity,
            area_code: input.areaCode,
            photo_ref: r.values.photo_ref || null,
            version: 1,
            created_at: now,
            updated_at: now,
          };
          await persons.insert(trx, person);
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

    /**
     * Sends an area's applications to the card factory: one batch, each card's issue date and validity
     * fixed, and the factory file (CSV, format in docs/cards.md) returned.
     */
    async sendToProduction(actor: Actor, input: { areaCode: string; limit?: number }) {
      const grant = authorize(actor, CARD_PERMISSIONS.produce, input.areaCode);
      const area = await deps.areasRepo.get(db, input.areaCode);
      if (!area) throw new DomainError("AREA_NOT_FOUND", { code: input.areaCode });
      const policy = (await deps.areas.policyAt(null, input.areaCode)).policy;
      const issueDate = today();
      const validUntil = validityEnd(issueDate, policy.cardValidityYears);
      const batchId = randomUUID();
      const sent = await db.transaction().execute(async (trx) => {
        const waiting = await cards.inState(trx, input.areaCode, "applied", input.limit ?? 10_000);
        if (waiting.length === 0) throw new DomainError("NOTHING_TO_PRODUCE");
        await cards.insertBatch(trx, {
          id: batchId,
          area_code: input.areaCode,
          card_count: waiting.length,
          status: "sent",
          created_by: actor.id,
          created_at: clock.now().toISOString(),
          returned_at: null,
        });
        const out: CardRow[] = [];
        for (const card of waiting) {
          out.push(
            await change(
              trx,
              actor,
              grant,
              card,
              "send_to_production",
              {
                batch_id: batchId,
                issue_date: issueDate,
                valid_until: validUntil,
              },
              { batchId },
            ),
          );
        }
        return out;
      });
      const header = [
        "batch_id",
        "card_id_code",
        "card_number",
        "spec_version",
        "card_type",
        "area_code",
        "issuer_id",
        "name",
        "sex",
        "ethnicity",
        "birth_date",
        "id_number",
        "photo_ref",
        "issue_date",
        "valid_until",
      ];
      const lines = [header.join(",")];
      for (const card of sent) {
        const person = (await persons.byId(db, card.person_id))!;
        const pii = JSON.parse(cipher.decrypt(person.pii_enc)) as { name: string };
        lines.push(
          csvLine([
            batchId,
            card.card_id_code,
            card.card_number,
            card.spec_version,
            card.card_type,
            card.area_code,
            area.issuer_id,
            pii.name,
            person.sex,
            person.ethnicity,
            person.birth_date,
            cipher.decrypt(person.id_number_enc),
            card.photo_ref,
            card.issue_date,
            card.valid_until,
          ]),
        );
      }
      return { batchId, areaCode: input.areaCode, cardCount: sent.length, file: `${lines.join("\n")}\n` };
    },

    /** Imports the factory's return file: `ok` rows are delivered to the outlet, `failed` rows go back to applied. */
    async importReturnFile(actor: Actor, batchId: string, csv: string) {
      authorize(actor, CARD_PERMISSIONS.produce);
      const batch = await cards.batch(db, batchId);
      if (!batch) throw new DomainError("BATCH_NOT_FOUND", { batchId });
      const grant = authorize(actor, CARD_PERMISSIONS.produce, batch.area_code);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      if (!parsed.columns.includes("card_id_code") || !parsed.columns.includes("result")) {
        throw new DomainError("CSV_INVALID", { reason: "missing columns: card_id_code, result" });
      }
      const rows: RowReport[] = [];
      for (const { line, values } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        if (values.result !== "ok" && values.result !== "failed") {
          reject("result_invalid");
          continue;
        }
        const card = await cards.byIdCode(db, values.card_id_code);
        if (!card || card.batch_id !== batchId) {
          reject("not_in_batch");
          continue;
        }
        try {
          const action = values.result === "ok" ? "deliver" : "production_failed";
          const details =
            values.result === "ok" ? { batchId } : { batchId, reason: values.reason || "not given" };
          const changes: Partial<CardRow> =
            values.result === "ok" ? {} : { batch_id: null, issue_date: null, valid_until: null };
          await db
            .transaction()
            .execute(async (trx) =>
              change(trx, actor, grant, await current(trx, card.id), action, changes, details),
            );
          rows.push({ line, status: "accepted", cardNumber: card.card_number });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          reject("card_state", { state: String(err.details?.state ?? err.code) });
        }
      }
      await db
        .transaction()
        .execute((trx) => cards.markBatchReturned(trx, batchId, clock.now().toISOString()));
      const accepted = rows.filter((r) => r.status === "accepted").length;
      return { accepted, rejected: rows.length - accepted, rows };
    },

    /**
     * Hands a delivered card over: to the holder (ID checked) or to the employer (letter of
     * introduction). With `activate` the social security function is switched on at once; otherwise
     * the card stays archived. A card that replaces another cancels the old one (reason `replaced`).
     */
    async issue(
      actor: Actor,
      cardNumber: string,
      input: {
        collectedBy: "holder" | "employer";
        holderIdNumber?: string;
        employerLetterRef?: string;
        employerCreditCode?: string;
        activate: boolean;
      },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      if (input.collectedBy === "holder") await checkHolder(card, input.holderIdNumber ?? "");
      else await checkCollectingEmployer(card, input);
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        const next = await change(
          trx,
          actor,
          grant,
          fresh,
          input.activate ? "issue_and_activate" : "issue",
          {
            issued_to: input.collectedBy,
            employer_letter_ref: input.collectedBy === "employer" ? input.employerLetterRef! : null,
            ss_function: input.activate ? "activated" : "not_activated",
          },
          {
            collectedBy: input.collectedBy,
            ...(input.collectedBy === "employer"
              ? { letter: input.employerLetterRef, employer: input.employerCreditCode }
              : {}),
          },
        );
        await deps.initialisePassword(trx, next, policy);
        if (fresh.replaces_card_id) {
          const old = await current(trx, fresh.replaces_card_id);
          if (old.state !== "cancelled") {
            await change(
              trx,
              actor,
              grant,
              old,
              "cancel",
              { cancel_reason: "replaced" },
              { reason: "replaced", by: next.card_number },
            );
            await raiseBankTask(trx, old, "replaced");
          }
        }
        return next;
      });
      return view(updated);
    },

    /** Switches on the social security function of an archived card at the counter. */
    async activate(actor: Actor, cardNumber: string, input: { holderIdNumber: string }) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      await checkHolder(card, input.holderIdNumber);
      const updated = await db
        .transaction()
        .execute(async (trx) =>
          change(trx, actor, grant, await current(trx, card.id), "activate", { ss_function: "activated" }),
        );
      return view(updated);
    },

    /** A temporary loss report (挂失): settlement and card authentication stop as soon as it commits. */
    async reportTemporaryLoss(actor: Actor, cardNumber: string) {
      const { card, grant } = await scopedOrHolder(actor, CARD_PERMISSIONS.reportLoss, cardNumber);
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        return change(trx, actor, grant, fresh, "report_temporary_loss", {
          state_before_loss: fresh.state,
          temporarily_lost_at: clock.now().toISOString(),
        });
      });
      return view(updated);
    },

    /** Revokes a temporary loss after checking the holder's identity; the card returns to its earlier state. */
    async revokeTemporaryLoss(actor: Actor, cardNumber: string, input: { holderIdNumber: string }) {
      const { card, grant } = await scopedOrHolder(actor, CARD_PERMISSIONS.counter, cardNumber);
      // A holder signed in with ID number and password has shown who they are already.
      if (actor.type !== "holder") await checkHolder(card, input.holderIdNumber);
      const updated = await db.transaction().execute(async (trx) =>
        change(trx, actor, grant, await current(trx, card.id), "revoke_temporary_loss", {
          state_before_loss: null,
          temporarily_lost_at: null,
        }),
      );
      return view(updated);
    },

    /**
     * Formal loss and replacement in one step: the lost card is marked, a replacement application is
     * made with a temporary medical certificate number, a ready date in working days and the fee.
     */
    async reportFormalLoss(
      actor: Actor,
      cardNumber: string,
      input: { holderIdNumber: string; agent?: { idNumber: string; name: string }; photoRef?: string | null },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      await checkHolder(card, input.holderIdNumber);
      const agent = input.agent
        ? { idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)), name: maskName(input.agent.name) }
        : undefined;
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const readyDate = addWorkingDays(
        today(),
        policy.replacementReadyWorkingDays,
        await calendarFor(card.area_code),
      );
      const certificate = `LS${card.area_code}${today().replaceAll("-", "")}${String(randomInt(1e8)).padStart(8, "0")}`;
      const result = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        if (await cards.pendingSuccessor(trx, fresh.id)) {
          const pending = (await cards.pendingSuccessor(trx, fresh.id))!;
          throw new DomainError("REPLACEMENT_PENDING", { cardNumber: pending.card_number });
        }
        const lost = await change(
          trx,
          actor,
          grant,
          fresh,
          "report_formal_loss",
          {},
          agent ? { agent } : undefined,
        );
        const replacement = await insertApplication(trx, actor, grant, {
          person_id: fresh.person_id,
          area_code: fresh.area_code,
          application_kind: "replacement",
          replaces_card_id: fresh.id,
          replacement_reason: "lost",
          photo_ref: input.photoRef ?? fresh.photo_ref,
          bank_code: fresh.bank_code,
          temp_certificate_no: certificate,
          ready_date: readyDate,
          fee_fen: policy.replacementFeeFen,
        });
        return { lost, replacement };
      });
      return { lostCard: await view(result.lost), replacement: await view(result.replacement) };
    },

    /**
     * Applies for a new card to replace a working one: renewal from the policy's lead days before
     * expiry (free), or replacement for damage, chip failure, changed card-face data or photo (fee).
     * The holder's consent is required; the old card works until the new one is issued.
     */
    async applyReplacement(
      actor: Actor,
      cardNumber: string,
      input: {
        reason: (typeof REPLACEMENT_REASONS)[number];
        consent: boolean;
        holderIdNumber: string;
        photoRef?: string | null;
      },
    ) {
      // A holder may apply online for the renewal of their own card (the photo on file is used).
      if (actor.type === "holder" && input.reason !== "expiry") throw new DomainError("FORBIDDEN");
      const { card, grant } = await scopedOrHolder(actor, CARD_PERMISSIONS.counter, cardNumber);
      if (!input.consent) throw new DomainError("CONSENT_REQUIRED");
      if (actor.type !== "holder") await checkHolder(card, input.holderIdNumber);
      const policy = (await deps.areas.policyAt(null, card.area_code)).policy;
      const state = card.state as CardState;
      const allowedFrom: CardState[] =
        input.reason === "expiry"
          ? ["archived", "active", "locked", "expired"]
          : ["archived", "active", "locked"];
      if (!allowedFrom.includes(state)) {
        throw new DomainError("CARD_ACTION_NOT_ALLOWED", {
          state,
          action: `replace:${input.reason}`,
          allowed: allowedActions(state),
          allowedText: allowedActions(state).join(", ") || "—",
        });
      }
      if (input.reason === "expiry" && card.valid_until) {
        const opensOn = renewalWindowStart(card.valid_until, policy.renewalLeadDays);
        if (today() < opensOn)
          throw new DomainError("RENEWAL_NOT_OPEN", { validUntil: card.valid_until, opensOn });
      }
      const readyDate = addWorkingDays(
        today(),
        policy.replacementReadyWorkingDays,
        await calendarFor(card.area_code),
      );
      const created = await db.transaction().execute(async (trx) => {
        await persons.lock(trx, card.person_id);
        const pending = await cards.pendingSuccessor(trx, card.id);
        if (pending) throw new DomainError("REPLACEMENT_PENDING", { cardNumber: pending.card_number });
        return insertApplication(trx, actor, grant, {
          person_id: card.person_id,
          area_code: card.area_code,
          application_kind: input.reason === "expiry" ? "renewal" : "replacement",
          replaces_card_id: card.id,
          replacement_reason: input.reason,
          photo_ref: input.photoRef ?? card.photo_ref,
          bank_code: card.bank_code,
          ready_date: readyDate,
          fee_fen: input.reason === "expiry" ? 0 : policy.replacementFeeFen,
        });
      });
      return view(created);
    },

    /** Cancels a card with its reason; an active financial function raises the bank's account-cancellation task. */
    async cancel(
      actor: Actor,
      cardNumber: string,
      input: {
        reason: CancelReason;
        holderIdNumber?: string;
        agent?: { idNumber: string; name: string };
        recordRef?: string;
      },
    ) {
      const { card, grant } = await scoped(actor, CARD_PERMISSIONS.counter, cardNumber);
      const missing = missingCancelEvidence(input.reason, input);
      if (missing) throw new DomainError("CANCEL_EVIDENCE_MISSING", { reason: missing });
      if (input.holderIdNumber) await checkHolder(card, input.holderIdNumber);
      const agent = input.agent
        ? { idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)), name: maskName(input.agent.name) }
        : undefined;
      const updated = await db.transaction().execute(async (trx) => {
        const next = await change(
          trx,
          actor,
          grant,
          await current(trx, card.id),
          "cancel",
          { cancel_reason: input.reason },
          {
            reason: input.reason,
            ...(input.holderIdNumber ? { holderIdChecked: true } : {}),
            ...(agent ? { agent } : {}),
            ...(input.recordRef ? { recordRef: input.recordRef.trim() } : {}),
          },
        );
        await raiseBankTask(trx, next, input.reason);
        return next;
      });
      return view(updated);
    },

    /**
     * Activates the financial function: only a clerk of the card's partner bank, in person with the
     * holder's ID, or by an agent (door-to-door for the elderly, seriously ill or disabled) recorded with
     * the agent's ID and the reason.
     */
    async activateFinancial(
      actor: Actor,
      cardNumber: string,
      input: {
        holderIdNumber: string;
        agent?: { idNumber: string; name: string; reason: "elderly" | "seriously_ill" | "disabled" };
        doorToDoor?: boolean;
      },
    ) {
      // Any branch of the partner bank, anywhere in the country, may activate (so no area check here).
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const card = await cardByNumber(cardNumber);
      if (!card.bank_code) throw new DomainError("NO_PARTNER_BANK");
      const outlet = await outletOf(grant);
      if (outlet?.bank_code !== card.bank_code)
        throw new DomainError("NOT_PARTNER_BANK", { bankCode: card.bank_code });
      await checkHolder(card, input.holderIdNumber);
      if (card.financial_function === "activated") throw new DomainError("FINANCIAL_ALREADY_ACTIVE");
      const state = card.state as CardState;
      if (state !== "archived" && state !== "active") {
        throw new DomainError("CARD_ACTION_NOT_ALLOWED", {
          state,
          action: "activate_financial",
          allowed: allowedActions(state),
          allowedText: allowedActions(state).join(", ") || "—",
        });
      }
      const agent = input.agent
        ? {
            idNumber: maskIdNumber(validIdNumber(input.agent.idNumber)),
            name: maskName(input.agent.name),
            reason: input.agent.reason,
          }
        : undefined;
      const updated = await db.transaction().execute(async (trx) => {
        const fresh = await current(trx, card.id);
        if (fresh.financial_function === "activated") throw new DomainError("FINANCIAL_ALREADY_ACTIVE");
        const next = await setFinancial(trx, actor, grant, fresh, "activated", "activate_financial", {
          bank: card.bank_code,
          outlet: outlet.name,
          ...(agent ? { agent, doorToDoor: input.doorToDoor ?? false } : {}),
        });
        return next;
      });
      return view(updated);
    },

    /** Open account-cancellation tasks of the calling clerk's bank. */
    async bankTasks(actor: Actor) {
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const outlet = await outletOf(grant);
      if (!outlet?.bank_code) return [];
      const tasks = await cards.openBankTasks(db, outlet.bank_code);
      // A bank's branches see the tasks of the areas they serve.
      return tasks
        .filter((t) => findGrant(actor, CARD_PERMISSIONS.bank, t.area_code))
        .map((t) => ({
          id: t.id,
          cardNumber: t.card_number,
          areaCode: t.area_code,
          kind: t.kind,
          reason: t.reason,
          createdAt: t.created_at,
        }));
    },

    /** The bank confirms it closed the account: the task is done and the card's financial function cancelled. */
    async confirmBankTask(actor: Actor, taskId: string) {
      const grant = authorize(actor, CARD_PERMISSIONS.bank);
      const task = await cards.bankTask(db, taskId);
      const outlet = await outletOf(grant);
      if (task?.status !== "open") throw new DomainError("BANK_TASK_NOT_FOUND");
      if (outlet?.bank_code !== task.bank_code)
        throw new DomainError("NOT_PARTNER_BANK", { bankCode: task.bank_code });
      const taskCard = await cards.byId(db, task.card_id);
      authorize(actor, CARD_PERMISSIONS.bank, taskCard!.area_code);
      await db.transaction().execute(async (trx) => {
        if (!(await cards.completeBankTask(trx, taskId, actor.id, clock.now().toISOString()))) {
          throw new DomainError("BANK_TASK_NOT_FOUND");
        }
        await setFinancial(
          trx,
          actor,
          grant,
          await current(trx, task.card_id),
          "cancelled",
          "bank_account_cancelled",
          {
            task: taskId,
          },
        );
      });
    },

    /**
     * The blacklist changes after `since`, for terminals to apply in order, signed with SM2 (standard
     * user ID) so a terminal can check them offline.
     */
    async blacklistDelta(actor: Actor, since: number, limit = 10_000) {
      authorize(actor, CARD_PERMISSIONS.read);
      const rows = await cards.blacklistSince(db, since, limit);
      const entries = rows.map((r) => ({
        version: Number(r.version),
        cardIdCode: r.card_id_code,
        action: r.action,
        state: r.state,
      }));
      const to = entries.at(-1)?.version ?? since;
      return deps.signer.sign({ from: since, to, entries });
    },

    /** A card by its printed number for other modules (no access check: callers check their own). */
    cardByNumber,

    /** Whether terminals must refuse a card (lost, cancelled or expired): read at the moment of asking. */
    async isBlacklisted(cardIdCode: string): Promise<boolean> {
      const card = await cards.byIdCode(db, cardIdCode);
      return !card || isBlacklisted(card.state as CardState);
    },

    /** A lifecycle action inside another module's transaction (the password lock, activation by password change). */
    async act(
      trx: Transaction<Database>,
      actor: Actor,
      grant: Grant | undefined,
      cardId: string,
      action: CardAction,
      changes: Partial<CardRow> = {},
    ) {
      return change(trx, actor, grant, await current(trx, cardId), action, changes);
    },

    /**
     * The daily job: cards past validity become expired, cards whose renewal window opens today are
     * listed, and temporary losses older than the area's auto-cancel days are cancelled.
     */
    async runDaily(actor: Actor, date = today()) {
      const expired: string[] = [];
      for (;;) {
        const batch = await cards.pastValidity(db, date, 500);
        if (batch.length === 0) break;
        for (const card of batch) {
          await db
            .transaction()
            .execute(async (trx) => change(trx, actor, undefined, await current(trx, card.id), "expire"));
          expired.push(card.card_number);
        }
      }
      const windowOpens: { cardNumber: string; validUntil: string }[] = [];
      const leadCache = new Map<string, number>();
      for (const c of await cards.validUntilBetween(db, date, addDays(date, 366))) {
        if (!leadCache.has(c.area_code))
          leadCache.set(
            c.area_code,
            (await deps.areas.policyAt(null, c.area_code, date)).policy.renewalLeadDays,
          );
        if (renewalWindowStart(c.valid_until!, leadCache.get(c.area_code)!) === date)
          windowOpens.push({ cardNumber: c.card_number, validUntil: c.valid_until! });
      }
      const autoCancelled: string[] = [];
      for (const card of await cards.temporarilyLostSince(db, `${date}T23:59:59.999Z`)) {
        const days = (await deps.areas.policyAt(null, card.area_code, date)).policy.preLossAutoCancelDays;
        if (days === null) continue;
        const lostOn = chinaDate(new Date(card.temporarily_lost_at!));
        if (addDays(lostOn, days) > date) continue;
        await db.transaction().execute(async (trx) => {
          const next = await change(
            trx,
            actor,
            undefined,
            await current(trx, card.id),
            "cancel",
            { cancel_reason: "pre_loss_not_revoked" },
            { reason: "pre_loss_not_revoked", days },
          );
          await raiseBankTask(trx, next, "pre_loss_not_revoked");
        });
        autoCancelled.push(card.card_number);
      }
      return { date, expired, renewalWindowOpens: windowOpens, autoCancelled };
    },

    async getByNumber(actor: Actor, cardNumber: string) {
      const { card } = await scoped(actor, CARD_PERMISSIONS.read, cardNumber);
      const person = await persons.byId(db, card.person_id);
      return toView(card, holderOf(person!), null);
    },

    /** The signed-in holder's own cards, newest first, each with its history (the online service hall). */
    async ofHolder(actor: Actor) {
      const rows = await cards.ofPerson(db, holderPersonId(actor));
      return Promise.all(
        rows.map(async (c) => ({
          ...(await view(c)),
          allowedActions: holderAllowedActions(c.state as CardState),
          history: (await cards.events(db, c.id)).map((e) => ({
            at: e.at,
            action: e.action,
            fromState: e.from_state,
            toState: e.to_state,
            channel: e.channel,
          })),
        })),
      );
    },

    async listByIdNumber(actor: Actor, idNumber: string) {
      authorize(actor, CARD_PERMISSIONS.read);
      const person = await persons.byIndex(db, cipher.blindIndex(validIdNumber(idNumber)));
      if (!person) throw new DomainError("PERSON_NOT_FOUND");
      authorize(actor, CARD_PERMISSIONS.read, person.area_code);
      const rows = await cards.ofPerson(db, person.id);
      return Promise.all(rows.map((c) => view(c)));
    },

    async history(actor: Actor, cardNumber: string) {
      const { card } = await scoped(actor, CARD_PERMISSIONS.read, cardNumber);
      const events = await cards.events(db, card.id);
      return events.map((e) => ({
        seq: e.seq,
        at: e.at,
        action: e.action,
        fromState: e.from_state,
        toState: e.to_state,
        actorType: e.actor_type,
        actorId: e.actor_id,
        actorRole: e.actor_role,
        channel: e.channel,
        details: e.details ? (JSON.parse(e.details) as Record<string, unknown>) : null,
      }));
    },

    /**
     * Imports cards from a legacy system (spec 2.00/2.01, or 3.00): CSV with the holder and the card as
     * it stands. The one-card rule is not applied, so duplicates show up in `duplicates`.
     */
    async importLegacy(actor: Actor, csv: string, onProgress?: (done: number, total: number) => void) {
      authorize(actor, CARD_PERMISSIONS.produce);
      const parsed = parseCsv(csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const required = [
        "id_number",
        "name",
        "ethnicity",
        "area_code",
        "card_number",
        "card_id_code",
        "spec_version",
        "issue_date",
        "valid_until",
        "state",
      ];
      const missing = required.filter((c) => !parsed.columns.includes(c));
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const rows: RowReport[] = [];
      const legacyStates: CardState[] = [
        "archived",
        "active",
        "temporarily_lost",
        "formally_lost",
        "expired",
        "cancelled",
      ];
      let done = 0;
      for (const { line, values: v } of parsed.rows) {
        const reject = (reasonCode: RowReason, reasonParams?: Record<string, string>) =>
          rows.push({ line, status: "rejected", reasonCode, ...(reasonParams ? { reasonParams } : {}) });
        done += 1;
        if (done % 1000 === 0) onProgress?.(done, parsed.rows.length);
        const id = parseIdNumber(v.id_number, today(), regions);
        if (!id.ok) {
          reject("invalid_id_number", { detail: id.problem });
          continue;
        }
        if (!["2.00", "2.01", "3.00"].includes(v.spec_version)) {
          reject("spec_version");
          continue;
        }
        if (!/^[0-9A-Z]{9}$/.test(v.card_number)) {
          reject("card_number_format");
          continue;
        }
        if (
          !/^\d{6}D156000005[0-9A-F]{16}$/.test(v.card_id_code) ||
          v.card_id_code.slice(0, 6) !== v.area_code
        ) {
          reject("card_id_code_format");
          continue;
        }
        if (!legacyStates.includes(v.state as CardState)) {
          reject("legacy_state", { states: legacyStates.join(", ") });
          continue;
        }
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v.issue_date) || !/^\d{4}-\d{2}-\d{2}$/.test(v.valid_until)) {
          reject("date_format");
          continue;
        }
        if (!(await deps.areasRepo.get(db, v.area_code))) {
          reject("unknown_area", { area: v.area_code });
          continue;
        }
        if (!findGrant(actor, CARD_PERMISSIONS.produce, v.area_code)) {
          reject("area_out_of_scope", { area: v.area_code });
          continue;
        }
        const legacyPolicy = (await deps.areas.policyAt(null, v.area_code)).policy;
        try {
          const number = await db.transaction().execute(async (trx) => {
            const index = cipher.blindIndex(id.facts.idNumber);
            let person = await persons.byIndex(trx, index);
            if (!person) {
              const at = clock.now().toISOString();
              person = {
                id: randomUUID(),
                id_number_index: index,
                id_number_enc: cipher.encrypt(id.facts.idNumber),
                id_number_masked: maskIdNumber(id.facts.idNumber),
                pii_enc: cipher.encrypt(JSON.stringify({ name: v.name, phone: null, address: null })),
                name_masked: maskName(v.name),
                sex: id.facts.sex,
                birth_date: id.facts.birthDate,
                birth_region_code: id.facts.regionCode,
                ethnicity: v.ethnicity in ETHNICITIES ? v.ethnicity : "97",
                area_code: v.area_code,
                photo_ref: null,
                version: 1,
                created_at: at,
                updated_at: at,
              };
              await persons.insert(trx, person);
            }
            const at = clock.now().toISOString();
            const row: CardRow = {
              id: randomUUID(),
              key_version: null,
              personalised_at: null,
              card_number: v.card_number,
              card_id_code: v.card_id_code,
              spec_version: v.spec_version,
              card_type: "standard",
              person_id: person.id,
              area_code: v.area_code,
              state: v.state,
              state_before_loss: v.state === "temporarily_lost" ? "active" : null,
              ss_function: v.state === "archived" ? "not_activated" : "activated",
              financial_function: v.financial_function === "activated" ? "activated" : "not_activated",
              bank_code: v.bank_code || null,
              photo_ref: null,
              application_kind: "new",
              application_channel: "system",
              replaces_card_id: null,
              replacement_reason: null,
              employer_code: null,
              employer_name: null,
              batch_id: null,
              issue_date: v.issue_date,
              valid_until: v.valid_until,
              issued_to: "holder",
              employer_letter_ref: null,
              temp_certificate_no: null,
              ready_date: null,
              fee_fen: null,
              temporarily_lost_at: v.state === "temporarily_lost" ? at : null,
              cancel_reason: v.state === "cancelled" ? "holder_request" : null,
              version: 1,
              created_at: at,
              updated_at: at,
            };
            await uniqueAs(cards.insert(trx, row), () => new DomainError("CONCURRENT_MODIFICATION"));
            await recordEvent(trx, actor, undefined, row, "import_legacy", null, {
              specVersion: v.spec_version,
            });
            if (v.state !== "cancelled") await deps.initialisePassword(trx, row, legacyPolicy);
            if (isBlacklisted(row.state as CardState)) {
              await cards.appendBlacklistChange(trx, {
                card_id_code: row.card_id_code,
                area_code: row.area_code,
                action: "add",
                state: row.state,
                at: row.created_at,
              });
            }
            return row.card_number;
          });
          rows.push({ line, status: "accepted", cardNumber: number });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          reject("card_exists");
        }
      }
      onProgress?.(done, parsed.rows.length);
      const accepted = rows.filter((r) => r.status === "accepted").length;
      return { accepted, rejected: rows.length - accepted, rows };
    },

    /** Persons with more than one card in a province, and what to do with each card. */
    async duplicates(actor: Actor, provincePrefix?: string) {
      authorize(actor, CARD_PERMISSIONS.counter);
      const groups = await cards.personsWithSeveralCards(db, provincePrefix);
      const out = [];
      for (const g of groups) {
        // A lost card waiting for its replacement is not a duplicate: only cards holding the place count.
        const all = (await cards.ofPersonInProvince(db, g.person_id, g.province)).filter((c) =>
          holdsProvinceSlot(c.state as CardState),
        );
        if (!all.some((c) => authorizeQuiet(actor, c.area_code))) continue;
        const person = (await persons.byId(db, g.person_id))!;
        out.push({
          personId: g.person_id,
          holder: holderOf(person),
          province: g.province,
          cards: all.map((c) => ({
            cardNumber: c.card_number,
            state: c.state,
            financialFunction: c.financial_function,
            advice: duplicateAdvice(c.state as CardState, c.financial_function),
          })),
        });
      }
      return out;
    },

    /** Sets a public holiday or a make-up working day for an area's working-day calendar. */
    async setCalendarDay(
      actor: Actor,
      areaCode: string,
      input: { date: string; kind: "holiday" | "workday"; name: string },
    ) {
      const grant = authorize(actor, CARD_PERMISSIONS.calendar, areaCode);
      await requireArea(areaCode);
      await db.transaction().execute(async (trx) => {
        await cards.upsertCalendarDay(trx, {
          area_code: areaCode,
          date: input.date,
          kind: input.kind,
          name: input.name,
        });
        await audit.record(trx, actor, grant, {
          action: "calendar.set",
          subjectType: "area",
          subjectId: areaCode,
          areaCode,
          after: input,
        });
      });
    },
  };

  function authorizeQuiet(actor: Actor, areaCode: string): boolean {
    try {
      authorize(actor, CARD_PERMISSIONS.counter, areaCode);
      return true;
    } catch {
      return false;
    }
  }
}

export type CardsService = ReturnType<typeof createCardsService>;
