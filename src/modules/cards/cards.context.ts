import { randomUUID } from "node:crypto";
import type { Transaction } from "kysely";
import { uniqueAs } from "../../db/database.ts";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import { type Actor, authorize, authorizeHolderOr, type Grant } from "../../shared/auth.ts";
import { chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import type { Permission } from "../../shared/permissions.ts";
import { parseIdNumber } from "../persons/id-number.rules.ts";
import { isWellFormedCardNumber } from "./card-number.rules.ts";
import type { CardsDeps } from "./cards.deps.ts";
import { CARD_PERMISSIONS } from "./cards.permissions.ts";
import {
  type CardAction,
  type CardState,
  employerMayCollect,
  holdsProvinceSlot,
  isBlacklisted,
  isValidCardNumber,
  newCardIdCode,
  newCardNumber,
  stateRule,
  transition,
} from "./cards.rules.ts";
import { type ApplyInput, type CardView, type RowReport, toView } from "./cards.view.ts";

export type { CardStateListener, CardsDeps } from "./cards.deps.ts";
export type { ApplyInput, CardView, RowReport };

const SPEC_VERSION = "3.00";

/**
 * The helpers every cards use case shares: finding a card and checking who may act on it, the one
 * place a lifecycle action is applied (state, history event, audit record, blacklist, events), and a
 * new application record.
 */
export function createCardsContext(deps: CardsDeps) {
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
    const slip =
      card.temp_certificate_no && stateRule(card.state).ecard === "not_issued"
        ? await deps.collectionSlipOf?.(db, card.id)
        : undefined;
    return toView(card, holderOf(person!), replaces, slip);
  }

  /**
   * Legacy cards keep the numbers their old system printed, whose check character may follow another
   * rule: the check character is used only to tell a mistyped number from an unknown one.
   */
  async function cardByNumber(cardNumber: string): Promise<CardRow> {
    if (!isWellFormedCardNumber(cardNumber)) throw new DomainError("INVALID_CARD_NUMBER", { cardNumber });
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
    const from = card.state;
    const t = transition(from, action, card.state_before_loss);
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
    for (const listener of deps.onStateChange ?? []) await listener(trx, updated, from);
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
    await recordEvent(trx, actor, grant, next, action, card.state, details);
    return next;
  }

  /** A new card record in state `applied` (number and identification code are unique; a clash is retried). */
  async function insertApplication(
    trx: Transaction<Database>,
    actor: Actor,
    grant: Grant | undefined,
    fields: Pick<CardRow, "person_id" | "area_code" | "application_kind" | "photo_ref" | "bank_code"> &
      Partial<CardRow>,
    /** More facts for the application's audit record (a guardian, masked). */
    recorded: Record<string, unknown> = {},
  ): Promise<CardRow> {
    const at = clock.now().toISOString();
    const row: CardRow = {
      id: randomUUID(),
      key_version: null,
      personalised_at: null,
      chip_serial: null,
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
      ...recorded,
    });
    for (const listener of deps.onStateChange ?? []) await listener(trx, row, null);
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
      holdsProvinceSlot(c.state),
    );
    if (held) throw new DomainError("CARD_ALREADY_HELD", { cardNumber: held.card_number });
  }

  async function requireArea(areaCode: string) {
    if (!(await deps.areasRepo.get(db, areaCode)))
      throw new DomainError("AREA_NOT_FOUND", { code: areaCode });
  }

  function authorizeQuiet(actor: Actor, areaCode: string): boolean {
    try {
      authorize(actor, CARD_PERMISSIONS.counter, areaCode);
      return true;
    } catch {
      return false;
    }
  }

  return {
    deps,
    db,
    cards,
    persons,
    audit,
    clock,
    cipher,
    regions,
    today,
    holderOf,
    toView,
    view,
    cardByNumber,
    scoped,
    scopedOrHolder,
    validIdNumber,
    checkHolder,
    current,
    change,
    recordEvent,
    raiseBankTask,
    outletOf,
    setFinancial,
    insertApplication,
    checkProvinceSlot,
    requireArea,
    checkCollectingEmployer,
    authorizeQuiet,
  };
}

export type CardsContext = ReturnType<typeof createCardsContext>;
