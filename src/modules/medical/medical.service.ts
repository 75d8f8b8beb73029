import { createHash } from "node:crypto";
import type { Kysely, Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import { createBatchGroupCommit, type Outcome, RowsBusy } from "../../db/group-commit.ts";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import {
  type Actor,
  areaCovers,
  areaPrefix,
  authorize,
  authorizeHolderOr,
  type Grant,
  holderPersonId,
  INSTITUTION_ROLES,
  NATIONAL,
  type Role,
  rolesOn,
} from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import { maskCardNumber } from "../../shared/mask.ts";
import { PERMISSIONS, type Permission } from "../../shared/permissions.ts";
import type { AreasService } from "../areas/areas.service.ts";
import { canonicalJson } from "../audit/audit.rules.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import { stateOn } from "../cards/cards.rules.ts";
import { parseCsv } from "../cards/csv.ts";
import type { AttemptLog } from "../credentials/attempt-log.ts";
import type { EnrolmentRepository } from "../enrolment/enrolment.repository.ts";
import { coordinationArea } from "../enrolment/enrolment.rules.ts";
import type { MedicalRepository } from "./medical.repository.ts";
import {
  addDays,
  arrearsOf,
  type BasketLine,
  basketProblem,
  type CatalogueEntry,
  type ContributionInput,
  contributionOf,
  employerMayPay,
  previousMonth,
  priceBasket,
  readCatalogueRows,
  refundOfLine,
  type SettlementRefusal,
  settlementOf,
  totalsOf,
} from "./medical.rules.ts";

/** Who may do what here, through which channel: see src/shared/permissions.ts. */
export const MEDICAL_PERMISSIONS = PERMISSIONS.medical;

/** Ledger account names: a person's medical account, an area's fund, what is owed to an institution. */
const ledgerAccount = {
  personal: (personId: string) => `personal:${personId}`,
  fund: (area: string) => `fund:${area}`,
  institution: (id: string) => `institution:${id}`,
};

/** The error a caller gets for a settlement refused by the rules. */
function refusalError(r: SettlementRefusal): DomainError {
  switch (r.reason) {
    case "card_not_usable":
      return new DomainError("CARD_NOT_USABLE", { state: r.state });
    case "medical_function_suspended":
      return new DomainError("MEDICAL_FUNCTION_SUSPENDED");
    case "not_in_catalogue":
      return new DomainError("ITEM_NOT_IN_CATALOGUE", { line: r.line, code: r.code });
    case "insufficient_balance":
      return new DomainError("INSUFFICIENT_BALANCE", { balanceFen: r.balanceFen, coveredFen: r.coveredFen });
  }
}

export type SettleInput = Readonly<{
  terminalNo: string;
  idempotencyKey: string;
  card?: { cardNumber: string; pin?: string };
  /** A reader slot of this terminal whose card the PSAM authenticated (and whose chip PIN was verified). */
  readerSlotId?: string;
  ecardCode?: string;
  items: readonly BasketLine[];
  /** When the balance does not cover the covered part: self-pay the rest (default) or decline. */
  acceptSelfPay?: boolean;
  source?: string;
}>;

/** A settlement waiting for its batch: everything checked before its card and account are locked. */
type PendingSettlement = Readonly<{
  id: string;
  actor: Actor;
  grant: Grant;
  institution: Database["institutions"];
  input: SettleInput;
  requestHash: string;
  day: string;
  version: number;
  lookup: (code: string) => CatalogueEntry | undefined;
  cardId: string;
  /** The card's state when the request was checked (a settlement by e-card may see another). */
  seenState: string;
}>;

type MedicalDeps = Readonly<{
  /** The password-attempt log, written in each settlement batch's transaction. */
  attempts: Pick<AttemptLog, "writeInto">;
  db: Kysely<Database>;
  repo: MedicalRepository;
  cards: CardsRepository;
  enrolment: EnrolmentRepository;
  areas: AreasService;
  audit: AuditService;
  clock: Clock;
  /** The day an employer first hired a person, if it ever did (employers' register). */
  hiredOn: (q: Kysely<Database>, employerId: string, personId: string) => Promise<string | undefined>;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  verifyCardPassword: (actor: Actor, card: CardRow, pin: string, source: string) => Promise<unknown>;
  /** Verifies an e-card payment code online (single use) and answers its card. */
  cardOfPaymentCode: (actor: Actor, code: string) => Promise<CardRow>;
  /** The card a reader slot of the caller authenticated with the terminal's PSAM, and whether its PIN was verified. */
  readerCard: (
    actor: Actor,
    slotId: string,
  ) => { cardIdCode: string; terminalNo: string; pinVerified: boolean };
}>;

/**
 * The medical personal account: designated institutions, the drug catalogue, contributions and the
 * monthly credit of the account share, settlements at pharmacies and hospitals with idempotency keys,
 * refunds, daily reconciliation, and the holder's view. Every change is one transaction with its
 * double-entry journal and its audit record.
 */
export function createMedicalService(deps: MedicalDeps) {
  const { db, repo, audit, clock } = deps;
  // Read-mostly data remembered in this process: the terminal's institution and the catalogue version
  // in force for CACHE_MS (changes made here clear them at once), a version's items for good.
  const CACHE_MS = 5_000;
  const institutionOfTerminal = new Map<string, { row: Database["institutions"] | undefined; at: number }>();
  const catalogueOfDay = new Map<string, { version: number | undefined; at: number }>();
  const catalogueItems = new Map<string, CatalogueEntry | undefined>();
  // Settlements are written in groups: one durable commit for all that arrive while one is written,
  // each batch settled with a fixed number of statements (applySettlements).
  const settlements = createBatchGroupCommit<PendingSettlement, Receipt>({
    db,
    apply: (trx, units) => applySettlements(trx, units),
    afterRollback: (trx) => audit.forgetHead(trx),
    // The password attempts of the settlements (and any others waiting) are written with them.
    carries: [deps.attempts],
  });
  const today = () => chinaDate(clock.now());
  const medicalPolicy = async (areaCode: string, q: Kysely<Database> = db) =>
    (await deps.areas.policyAt(null, areaCode, undefined, q)).policy.medical;

  /** One balanced journal: its id and its entries (lines that sum to zero; lines of zero are left out). */
  function journal(kind: string, lines: readonly { account: string; amountFen: number }[]) {
    const journalId = timeOrderedId();
    const at = clock.now().toISOString();
    const nonZero = lines.filter((l) => l.amountFen !== 0);
    if (nonZero.reduce((s, l) => s + l.amountFen, 0) !== 0) throw new Error("unbalanced journal");
    const entries: Omit<Database["ledger_entries"], "seq">[] = nonZero.map((l) => ({
      id: timeOrderedId(),
      journal_id: journalId,
      account: l.account,
      amount_fen: l.amountFen,
      kind,
      day: today(),
      at,
    }));
    return { journalId, entries };
  }

  /** Posts one balanced journal; answers its id. */
  async function post(
    trx: Transaction<Database>,
    kind: string,
    lines: readonly { account: string; amountFen: number }[],
  ): Promise<string> {
    const { journalId, entries } = journal(kind, lines);
    await repo.insertEntries(trx, entries);
    return journalId;
  }

  async function institutionOf(
    actor: Actor,
    terminalNo: string,
  ): Promise<{ institution: Database["institutions"]; grant: Grant }> {
    authorize(actor, MEDICAL_PERMISSIONS.settle);
    const now = Date.now();
    let institution = institutionOfTerminal.get(terminalNo);
    if (!institution || now - institution.at > CACHE_MS) {
      const terminal = await repo.terminal(db, terminalNo);
      const row = terminal?.institution_id
        ? await repo.institutionById(db, terminal.institution_id)
        : undefined;
      institution = { row, at: now };
      institutionOfTerminal.set(terminalNo, institution);
    }
    if (!institution.row)
      throw new DomainError("INSTITUTION_NOT_DESIGNATED", { reason: "terminal_not_designated" });
    return {
      institution: institution.row,
      grant: operatorOf(actor, MEDICAL_PERMISSIONS.settle, institution.row),
    };
  }

  /**
   * The caller's grant for an institution: an operator's must name it (an operator of one pharmacy
   * never settles, refunds or reconciles for another); administrators and auditors act by their area.
   */
  function operatorOf(actor: Actor, permission: Permission, institution: Database["institutions"]): Grant {
    const grant = authorize(actor, permission, institution.area_code);
    if (!(INSTITUTION_ROLES as readonly Role[]).includes(grant.role)) return grant;
    const own = actor.grants.find(
      (g) =>
        rolesOn(permission, actor).includes(g.role) &&
        g.institutionId === institution.id &&
        areaCovers(g.areaCode, institution.area_code),
    );
    if (!own) throw new DomainError("INSTITUTION_FORBIDDEN");
    return own;
  }

  function receipt(
    s: Database["settlements"],
    items: Database["settlement_items"][],
    institution: Database["institutions"],
    cardNumber: string,
    replayed: boolean,
  ) {
    return {
      settlementId: s.id,
      idempotencyKey: s.idempotency_key,
      replayed,
      state: s.state,
      institution: { code: institution.code, name: institution.name },
      terminalNo: s.terminal_no,
      medium: s.medium,
      cardNumberMasked: maskCardNumber(cardNumber),
      day: s.day,
      at: s.at,
      catalogueVersion: Number(s.catalogue_version),
      items: items.map((i) => ({
        line: Number(i.line),
        code: i.code,
        name: i.name,
        class: i.class,
        quantity: Number(i.quantity),
        unitPriceFen: Number(i.unit_price_fen),
        amountFen: Number(i.amount_fen),
        coveredFen: Number(i.covered_fen),
        accountFen: Number(i.account_fen),
        selfFen: Number(i.self_fen),
        refundedQuantity: Number(i.refunded_quantity),
      })),
      totals: {
        totalFen: Number(s.total_fen),
        coveredFen: Number(s.covered_fen),
        accountFen: Number(s.account_fen),
        selfFen: Number(s.self_fen),
      },
      refunded: { accountFen: Number(s.refunded_account_fen), selfFen: Number(s.refunded_self_fen) },
    };
  }

  type Receipt = ReturnType<typeof receipt>;

  async function receiptOf(s: Database["settlements"], replayed: boolean) {
    const [items, institution, card] = await Promise.all([
      repo.settlementItems(db, s.id),
      repo.institutionById(db, s.institution_id),
      deps.cards.byId(db, s.card_id),
    ]);
    return receipt(s, items, institution!, card?.card_number ?? "", replayed);
  }

  /** A retry with the same key answers the first result; the same key for another request is refused. */
  async function replay(institutionId: string, key: string, requestHash: string) {
    const existing = await repo.settlementByKey(db, institutionId, key);
    if (!existing) return undefined;
    if (existing.request_hash !== requestHash) throw new DomainError("IDEMPOTENCY_KEY_REUSED");
    return receiptOf(existing, true);
  }

  /** The catalogue in force on a day and the entries of `codes` (a version's items never change). */
  async function catalogueFor(day: string, codes: readonly string[]) {
    const now = Date.now();
    let inForce = catalogueOfDay.get(day);
    if (!inForce || now - inForce.at > CACHE_MS) {
      const row = await repo.catalogueInForce(db, day);
      inForce = { version: row ? Number(row.version) : undefined, at: now };
      catalogueOfDay.set(day, inForce);
    }
    const version = inForce.version;
    if (version === undefined) throw new DomainError("CATALOGUE_NOT_IN_FORCE", { date: day });
    const missing = [...new Set(codes)].filter((c) => !catalogueItems.has(`${version}:${c}`));
    if (missing.length) {
      if (catalogueItems.size > 100_000) catalogueItems.clear();
      const rows = await repo.catalogueItems(db, version, missing);
      for (const c of missing) catalogueItems.set(`${version}:${c}`, undefined);
      for (const r of rows)
        catalogueItems.set(`${version}:${r.code}`, {
          code: r.code,
          name: r.name,
          class: r.class,
          selfPayBp: Number(r.self_pay_bp),
        });
    }
    return { version, lookup: (code: string) => catalogueItems.get(`${version}:${code}`) };
  }

  /**
   * Settles a batch of settlements in one transaction with a fixed number of statements: the cards and
   * accounts that no other transaction holds are locked in one read each (the others go to a later
   * batch), arrears read at once, then each settlement decided in turn against the running balances,
   * and every row written with one insert per table. A refused settlement writes nothing.
   */
  async function applySettlements(
    trx: Transaction<Database>,
    units: readonly PendingSettlement[],
  ): Promise<Outcome<Receipt>[]> {
    const unique = (xs: string[]) => [...new Set(xs)];
    const cards = new Map(
      (await deps.cards.lockFreeByIds(trx, unique(units.map((u) => u.cardId)))).map((c) => [c.id, c]),
    );
    const personIds = unique([...cards.values()].map((c) => c.person_id));
    const { balances, busy } = await repo.lockFreeAccounts(trx, personIds);
    const suspended = new Map<string, Set<string>>();
    for (const day of unique(units.map((u) => u.day)))
      suspended.set(day, await deps.enrolment.arrearsActiveAmong(trx, personIds, day));

    const outcomes: Outcome<Receipt>[] = [];
    const entries: Omit<Database["ledger_entries"], "seq">[] = [];
    const debits = new Map<string, { area: string; fen: number }>();
    const rows: Database["settlements"][] = [];
    const items: Database["settlement_items"][] = [];
    const records: Parameters<AuditService["recordMany"]>[1][number][] = [];
    const at = clock.now().toISOString();
    for (const u of units) {
      const card = cards.get(u.cardId);
      // A card or an account another transaction holds (a loss report, a refund): a later batch.
      if (!card || busy.has(card.person_id)) {
        outcomes.push({ ok: false, error: new RowsBusy() });
        continue;
      }
      const area = coordinationArea(card.area_code);
      const balance = balances.get(card.person_id) ?? 0;
      const priced = settlementOf({
        cardState: stateOn(card, u.day),
        seenState: u.seenState,
        suspended: suspended.get(u.day)!.has(`${card.person_id}|${area}`),
        balanceFen: balance,
        items: u.input.items,
        catalogue: u.lookup,
        acceptSelfPay: u.input.acceptSelfPay !== false,
      });
      if (!priced.ok) {
        outcomes.push({ ok: false, error: refusalError(priced.refusal) });
        continue;
      }
      const t = priced.totals;
      const posted = journal("settlement", [
        { account: ledgerAccount.personal(card.person_id), amountFen: -t.accountFen },
        { account: ledgerAccount.institution(u.institution.id), amountFen: t.accountFen },
      ]);
      entries.push(...posted.entries);
      if (t.accountFen > 0) {
        balances.set(card.person_id, balance - t.accountFen);
        const debit = debits.get(card.person_id) ?? { area, fen: 0 };
        debit.fen -= t.accountFen;
        debits.set(card.person_id, debit);
      }
      const row: Database["settlements"] = {
        id: u.id,
        institution_id: u.institution.id,
        idempotency_key: u.input.idempotencyKey,
        request_hash: u.requestHash,
        person_id: card.person_id,
        card_id: card.id,
        terminal_no: u.input.terminalNo,
        medium: u.input.ecardCode ? "ecard" : "card",
        catalogue_version: u.version,
        total_fen: t.totalFen,
        covered_fen: t.coveredFen,
        account_fen: t.accountFen,
        self_fen: t.selfFen,
        refunded_account_fen: 0,
        refunded_self_fen: 0,
        state: "settled",
        journal_id: posted.journalId,
        day: u.day,
        at,
      };
      const lines: Database["settlement_items"][] = priced.lines.map((l) => ({
        settlement_id: u.id,
        line: l.line,
        code: l.code,
        name: l.name,
        class: l.class,
        quantity: l.quantity,
        unit_price_fen: l.unitPriceFen,
        amount_fen: l.amountFen,
        covered_fen: l.coveredFen,
        account_fen: l.accountFen,
        self_fen: l.selfFen,
        refunded_quantity: 0,
      }));
      rows.push(row);
      items.push(...lines);
      records.push({
        actor: u.actor,
        grant: u.grant,
        entry: {
          action: "medical.settle",
          subjectType: "settlement",
          subjectId: u.id,
          areaCode: u.institution.area_code,
          after: {
            institution: u.institution.code,
            medium: row.medium,
            totalFen: t.totalFen,
            accountFen: t.accountFen,
            selfFen: t.selfFen,
          },
        },
      });
      outcomes.push({ ok: true, value: receipt(row, lines, u.institution, card.card_number, false) });
    }
    // The audit chain's append lock is taken here, after the rows: batches of two processes overlap
    // until now, and a batch that holds the lock never waits for a row (the reads above skip held ones).
    await audit.recordMany(trx, records);
    await repo.insertEntries(trx, entries);
    await repo.addToAccounts(
      trx,
      [...debits].map(([personId, d]) => ({
        person_id: personId,
        area_code: d.area,
        balance_fen: d.fen,
        updated_at: at,
      })),
    );
    await repo.insertSettlements(trx, rows, items);
    return outcomes;
  }

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
      const terminal = await repo.terminal(db, terminalNo);
      if (!terminal) throw new DomainError("TERMINAL_NOT_FOUND", { terminalNo });
      await db.transaction().execute(async (trx) => {
        await repo.setTerminalInstitution(trx, terminalNo, institution.id);
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

    /**
     * Imports a catalogue version from CSV (`code,name,class,self_pay_percent`; class A, B or none),
     * all or nothing: any bad row and nothing is imported; the answer lists every row's problem.
     */
    async importCatalogue(
      actor: Actor,
      input: { name: string; effectiveFrom: string; csv: string; sample: boolean },
    ) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.catalogue);
      const parsed = parseCsv(input.csv);
      if ("error" in parsed) throw new DomainError("CSV_INVALID", { reason: parsed.error });
      const missing = ["code", "name", "class", "self_pay_percent"].filter(
        (c) => !parsed.columns.includes(c),
      );
      if (missing.length)
        throw new DomainError("CSV_INVALID", { reason: `missing columns: ${missing.join(", ")}` });
      const { items, problems } = readCatalogueRows(parsed.rows);
      if (problems.length)
        throw new DomainError("CATALOGUE_INVALID", { rows: problems.slice(0, 1000), count: problems.length });
      return db.transaction().execute(async (trx) => {
        const version = await repo.nextCatalogueVersion(trx);
        await repo.insertCatalogue(
          trx,
          {
            version,
            name: input.name,
            effective_from: input.effectiveFrom,
            sample: input.sample ? 1 : 0,
            item_count: items.length,
            imported_at: clock.now().toISOString(),
          },
          items.map((i) => ({
            version,
            code: i.code,
            name: i.name,
            class: i.class,
            self_pay_bp: i.selfPayBp,
          })),
        );
        await audit.record(trx, actor, grant, {
          action: "catalogue.import",
          subjectType: "catalogue",
          subjectId: String(version),
          areaCode: NATIONAL,
          after: {
            name: input.name,
            effectiveFrom: input.effectiveFrom,
            items: items.length,
            sample: input.sample,
          },
        });
        catalogueOfDay.clear();
        return { version, effectiveFrom: input.effectiveFrom, accepted: items.length, sample: input.sample };
      });
    },

    async catalogue(actor: Actor, day?: string) {
      authorize(actor, MEDICAL_PERMISSIONS.read);
      const versions = await repo.catalogueVersions(db);
      const inForce = await repo.catalogueInForce(db, day ?? today());
      return {
        date: day ?? today(),
        inForceVersion: inForce ? Number(inForce.version) : null,
        versions: versions.map((v) => ({
          version: Number(v.version),
          name: v.name,
          effectiveFrom: v.effective_from,
          sample: v.sample === 1,
          items: Number(v.item_count),
        })),
      };
    },

    /**
     * A month's medical contribution of one person, paid: by the employer on a declared base, or by a
     * flexible worker on a grade. A payment that leaves no more arrears than the grace ends the
     * person's arrears (the medical function is back at once). Never depends on the card's state.
     */
    async payContribution(
      actor: Actor,
      input: { idNumber: string; month: string; employerId?: string } & ContributionInput,
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
          const day = today();
          const open = await deps.enrolment.arrearsActive(trx, person.id, area, day);
          let medicalRestored = false;
          if (open) {
            const paid = new Set((await repo.paidMonths(trx, person.id, area)).map((p) => p.month));
            const lastDue = previousMonth(thisMonth);
            const first =
              (await repo.medicalStartMonth(trx, person.id, area)) ?? [...paid].sort()[0] ?? input.month;
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

    /**
     * The monthly credit of the personal-account share of every paid contribution of `month`, in
     * batches, each one transaction with its journal and audit record. Running it again (or twice at
     * once) credits nothing twice: each person-month is credited once (primary key). An administrator
     * credits the coordination areas their grant covers.
     */
    async transferMonth(
      actor: Actor,
      month: string,
      onProgress?: (done: { credited: number; totalFen: number }) => void,
    ) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.transfer);
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month))
        throw new DomainError("VALIDATION_FAILED", { summary: "month: YYYY-MM" });
      // An administrator credits the accounts of the coordination areas their grant covers.
      const prefix = grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode);
      const report = { month, credited: 0, totalFen: 0, batches: 0 };
      for (let attempts = 0; attempts < 10_000; attempts++) {
        const rows = await repo.uncredited(db, month, prefix, 500);
        if (rows.length === 0) break;
        try {
          await db.transaction().execute(async (trx) => {
            let total = 0;
            for (const r of rows) {
              const amount = Number(r.account_share_fen);
              const journalId = await post(trx, "monthly_credit", [
                { account: ledgerAccount.fund(r.coordination_area), amountFen: -amount },
                { account: ledgerAccount.personal(r.person_id), amountFen: amount },
              ]);
              await repo.insertCredit(trx, {
                person_id: r.person_id,
                month,
                amount_fen: amount,
                journal_id: journalId,
                at: clock.now().toISOString(),
              });
              await repo.addToAccount(
                trx,
                r.person_id,
                r.coordination_area,
                amount,
                clock.now().toISOString(),
              );
              total += amount;
            }
            await audit.record(trx, actor, grant, {
              action: "medical.transfer.batch",
              subjectType: "month",
              subjectId: month,
              areaCode: NATIONAL,
              after: { count: rows.length, totalFen: total },
            });
            report.credited += rows.length;
            report.totalFen += total;
            report.batches++;
          });
        } catch (err) {
          // Another run credited some of these meanwhile: read what is left again.
          if (!isUniqueViolation(err)) throw err;
        }
        onProgress?.({ credited: report.credited, totalFen: report.totalFen });
      }
      return report;
    },

    /**
     * Arrears computed per person and month: every active employee medical enrolment in the caller's
     * areas whose unpaid months (from the enrolment's first month to last month) exceed the area's grace
     * gets an arrears record from today, suspending the medical function (the online check and
     * settlements refuse it) until a payment clears them. Already suspended persons are left as they are.
     */
    async arrearsRun(actor: Actor) {
      const grant = authorize(actor, MEDICAL_PERMISSIONS.transfer);
      const prefix = grant.areaCode === NATIONAL ? "" : areaPrefix(grant.areaCode);
      const day = today();
      const lastDue = previousMonth(day.slice(0, 7));
      const report = { lastDueMonth: lastDue, checked: 0, suspended: 0, alreadySuspended: 0 };
      for (const e of await repo.medicalEnrolments(db, prefix)) {
        report.checked++;
        const policy = await medicalPolicy(e.coordination_area);
        const paid = new Set(
          (await repo.paidMonths(db, e.person_id, e.coordination_area)).map((p) => p.month),
        );
        const due = arrearsOf(e.start_date.slice(0, 7), lastDue, paid, policy.arrearsGraceMonths);
        if (!due.suspends) continue;
        const suspended = await db.transaction().execute(async (trx) => {
          if (await deps.enrolment.arrearsActive(trx, e.person_id, e.coordination_area, day)) return false;
          const row: Database["arrears"] = {
            id: timeOrderedId(),
            person_id: e.person_id,
            coordination_area: e.coordination_area,
            from_date: day,
            to_date: null,
            reason: `unpaid contributions: ${due.unpaid.join(", ")}`.slice(0, 500),
            created_at: clock.now().toISOString(),
          };
          await deps.enrolment.insertArrears(trx, row);
          await audit.record(trx, actor, grant, {
            action: "arrears.computed",
            subjectType: "person",
            subjectId: e.person_id,
            areaCode: e.coordination_area,
            after: { unpaidMonths: due.unpaid, graceMonths: policy.arrearsGraceMonths },
          });
          return true;
        });
        if (suspended) report.suspended++;
        else report.alreadySuspended++;
      }
      return report;
    },

    /**
     * Settles a basket at a designated institution's terminal, once per idempotency key: the card (with
     * its password where the area requires it) or an e-card payment code; each item priced and classed
     * by the catalogue in force today; the covered part paid from the personal account up to its
     * balance, the rest self-paid (or refused when the holder declines).
     */
    async settle(actor: Actor, input: SettleInput) {
      const { institution, grant } = await institutionOf(actor, input.terminalNo);
      if ([input.card, input.readerSlotId, input.ecardCode].filter((x) => x !== undefined).length !== 1)
        throw new DomainError("VALIDATION_FAILED", {
          summary: "card, readerSlotId or ecardCode: one of them",
        });
      const basket = basketProblem(input.items);
      if (basket) throw new DomainError("VALIDATION_FAILED", { summary: basket });
      const requestHash = createHash("sha256")
        .update(
          canonicalJson({
            terminalNo: input.terminalNo,
            card: input.card?.cardNumber ?? null,
            readerSlotId: input.readerSlotId ?? null,
            ecardCode: input.ecardCode ?? null,
            items: input.items.map((i) => [i.code, i.quantity, i.unitPriceFen]),
            acceptSelfPay: input.acceptSelfPay !== false,
          }),
        )
        .digest("hex");
      // A retry answers the first result, before any other check. Paying by card, the card is read
      // in the same round trip (the common case, and the busiest).
      const byCard = input.card
        ? await repo.cardAndKey(db, input.card.cardNumber, institution.id, input.idempotencyKey)
        : undefined;
      if (!byCard || byCard.keyTaken) {
        const first = await replay(institution.id, input.idempotencyKey, requestHash);
        if (first) return first;
      }
      const day = today();
      if (day < institution.agreement_from || day > institution.agreement_until)
        throw new DomainError("INSTITUTION_NOT_DESIGNATED", {
          reason: "agreement_lapsed",
          agreementUntil: institution.agreement_until,
        });
      const { version, lookup } = await catalogueFor(
        day,
        input.items.map((i) => i.code),
      );
      const check = priceBasket(input.items, lookup, 0);
      if (!check.ok)
        throw new DomainError("ITEM_NOT_IN_CATALOGUE", {
          line: check.problem.line,
          code: check.problem.code,
        });

      let card: CardRow;
      if (input.ecardCode) card = await deps.cardOfPaymentCode(actor, input.ecardCode);
      else if (input.readerSlotId) {
        // The terminal's PSAM authenticated the card (internal and external authentication) when it
        // was read; the chip PIN verified in the same slot is the holder's password at this terminal.
        const read = deps.readerCard(actor, input.readerSlotId);
        if (read.terminalNo !== input.terminalNo)
          throw new DomainError("VALIDATION_FAILED", { summary: "readerSlotId: a slot of this terminal" });
        const found = await deps.cards.byIdCode(db, read.cardIdCode);
        if (!found) throw new DomainError("CARD_NOT_FOUND");
        card = found;
        if (card.state !== "active") throw new DomainError("CARD_NOT_USABLE", { state: card.state });
        if ((await medicalPolicy(card.area_code)).settlementPasswordRequired && !read.pinVerified)
          throw new DomainError("PASSWORD_REQUIRED");
      } else {
        if (!byCard) throw new DomainError("CARD_NOT_FOUND");
        card = byCard.card;
        if (card.state !== "active") throw new DomainError("CARD_NOT_USABLE", { state: card.state });
        if ((await medicalPolicy(card.area_code)).settlementPasswordRequired) {
          if (!input.card!.pin) throw new DomainError("PASSWORD_REQUIRED");
          await deps.verifyCardPassword(actor, card, input.card!.pin, input.source ?? "terminal");
        }
      }
      const pending: PendingSettlement = {
        id: timeOrderedId(),
        actor,
        grant,
        institution,
        input,
        requestHash,
        day,
        version,
        lookup,
        cardId: card.id,
        seenState: card.state,
      };
      try {
        return await settlements.execute(pending);
      } catch (err) {
        if (isUniqueViolation(err)) {
          const again = await replay(institution.id, input.idempotencyKey, requestHash);
          if (again) return again;
        }
        throw err;
      }
    },

    async settlement(actor: Actor, id: string) {
      authorize(actor, MEDICAL_PERMISSIONS.reconcile);
      const s = await repo.settlementById(db, id);
      if (!s) throw new DomainError("SETTLEMENT_NOT_FOUND");
      const institution = await repo.institutionById(db, s.institution_id);
      operatorOf(actor, MEDICAL_PERMISSIONS.reconcile, institution!);
      return receiptOf(s, false);
    },

    /**
     * Refunds a settlement, whole or some units of some lines, by the institution that made it within
     * the area's window: the account part goes back to the personal account, the self-paid part to the
     * holder at the till. Idempotent per key.
     */
    async refund(
      actor: Actor,
      settlementId: string,
      input: {
        terminalNo: string;
        idempotencyKey: string;
        lines?: readonly { line: number; quantity: number }[];
      },
    ) {
      const { institution, grant } = await institutionOf(actor, input.terminalNo);
      const s = await repo.settlementById(db, settlementId);
      if (!s) throw new DomainError("SETTLEMENT_NOT_FOUND");
      if (s.institution_id !== institution.id)
        throw new DomainError("REFUND_NOT_ALLOWED", { reason: "other_institution" });
      const done = await repo.refundByKey(db, s.id, input.idempotencyKey);
      if (done) return refundView(done, s.id, true);
      const card = await deps.cards.byId(db, s.card_id);
      const policy = await medicalPolicy(card!.area_code);
      const day = today();
      if (day > addDays(s.day, policy.refundWindowDays))
        throw new DomainError("REFUND_NOT_ALLOWED", {
          reason: "window_passed",
          until: addDays(s.day, policy.refundWindowDays),
        });
      try {
        return await db.transaction().execute(async (trx) => {
          const locked = (await repo.lockSettlement(trx, s.id))!;
          // With the settlement held, a retry that raced the first refund sees it and gets its receipt.
          const first = await repo.refundByKey(trx, s.id, input.idempotencyKey);
          if (first) return refundView(first, s.id, true);
          const items = await repo.settlementItems(trx, s.id);
          const wanted =
            input.lines ??
            items
              .map((i) => ({
                line: Number(i.line),
                quantity: Number(i.quantity) - Number(i.refunded_quantity),
              }))
              .filter((l) => l.quantity > 0);
          if (wanted.length === 0) throw new DomainError("REFUND_NOT_ALLOWED", { reason: "nothing_left" });
          let accountFen = 0;
          let selfFen = 0;
          for (const w of wanted) {
            const item = items.find((i) => Number(i.line) === w.line);
            const before = Number(item?.refunded_quantity ?? 0);
            if (
              !item ||
              !Number.isInteger(w.quantity) ||
              w.quantity < 1 ||
              before + w.quantity > Number(item.quantity)
            )
              throw new DomainError("REFUND_NOT_ALLOWED", { reason: "quantity", line: w.line });
            const part = refundOfLine(
              {
                quantity: Number(item.quantity),
                accountFen: Number(item.account_fen),
                selfFen: Number(item.self_fen),
              },
              before,
              w.quantity,
            );
            accountFen += part.accountFen;
            selfFen += part.selfFen;
            await repo.setItemRefunded(trx, s.id, w.line, before + w.quantity);
            item.refunded_quantity = before + w.quantity;
          }
          const journalId = await post(trx, "refund", [
            { account: ledgerAccount.institution(institution.id), amountFen: -accountFen },
            { account: ledgerAccount.personal(s.person_id), amountFen: accountFen },
          ]);
          if (accountFen > 0)
            await repo.addToAccount(
              trx,
              s.person_id,
              coordinationArea(card!.area_code),
              accountFen,
              clock.now().toISOString(),
            );
          const all = items.every((i) => Number(i.refunded_quantity) === Number(i.quantity));
          await repo.setRefunded(trx, s.id, {
            refunded_account_fen: Number(locked.refunded_account_fen) + accountFen,
            refunded_self_fen: Number(locked.refunded_self_fen) + selfFen,
            state: all ? "reversed" : "partly_refunded",
          });
          const row: Database["settlement_refunds"] = {
            id: timeOrderedId(),
            settlement_id: s.id,
            idempotency_key: input.idempotencyKey,
            lines: JSON.stringify(wanted),
            account_fen: accountFen,
            self_fen: selfFen,
            journal_id: journalId,
            day,
            at: clock.now().toISOString(),
          };
          await repo.insertRefund(trx, row);
          await audit.record(trx, actor, grant, {
            action: "medical.refund",
            subjectType: "settlement",
            subjectId: s.id,
            areaCode: institution.area_code,
            after: { accountFen, selfFen, lines: wanted, state: all ? "reversed" : "partly_refunded" },
          });
          return refundView(row, s.id, false, all ? "reversed" : "partly_refunded");
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          const again = await repo.refundByKey(db, s.id, input.idempotencyKey);
          if (again) return refundView(again, s.id, true);
        }
        throw err;
      }
    },

    /** An institution's day: totals by catalogue class and by account, refunds, and each settlement. */
    async reconciliation(actor: Actor, code: string, day: string) {
      authorize(actor, MEDICAL_PERMISSIONS.reconcile);
      const institution = await repo.institutionByCode(db, code);
      if (!institution) throw new DomainError("INSTITUTION_NOT_FOUND", { code });
      operatorOf(actor, MEDICAL_PERMISSIONS.reconcile, institution);
      const [byClass, settlements, refunds] = await Promise.all([
        repo.dayByClass(db, institution.id, day),
        repo.daySettlements(db, institution.id, day),
        repo.dayRefunds(db, institution.id, day),
      ]);
      const classes = (["A", "B", "none"] as const).map((c) => {
        const r = byClass.find((b) => b.class === c);
        return {
          class: c,
          amountFen: Number(r?.amount ?? 0),
          coveredFen: Number(r?.covered ?? 0),
          accountFen: Number(r?.account ?? 0),
          selfFen: Number(r?.self ?? 0),
        };
      });
      const totals = totalsOf(classes);
      return {
        institution: { code: institution.code, name: institution.name },
        day,
        count: settlements.length,
        byClass: classes,
        byAccount: {
          personalAccountFen: totals.accountFen,
          selfPaidFen: totals.selfFen,
          totalFen: totals.totalFen,
        },
        refunds: {
          count: Number(refunds?.n ?? 0),
          accountFen: Number(refunds?.account ?? 0),
          selfFen: Number(refunds?.self ?? 0),
        },
        settlements: settlements.map((s) => ({
          settlementId: s.id,
          idempotencyKey: s.idempotency_key,
          terminalNo: s.terminal_no,
          medium: s.medium,
          totalFen: Number(s.total_fen),
          accountFen: Number(s.account_fen),
          selfFen: Number(s.self_fen),
          state: s.state,
          at: s.at,
        })),
      };
    },

    /** The holder's account: balance, monthly credits, and settlements with their items. */
    async holderAccount(actor: Actor) {
      const personId = holderPersonId(actor);
      const [account, credits, settlements] = await Promise.all([
        repo.account(db, personId),
        repo.credits(db, personId),
        repo.settlementsOfPerson(db, personId, 50),
      ]);
      const items = await repo.itemsOf(
        db,
        settlements.map((s) => s.id),
      );
      return {
        balanceFen: Number(account?.balance_fen ?? 0),
        credits: credits.map((c) => ({ month: c.month, amountFen: Number(c.amount_fen), at: c.at })),
        settlements: settlements.map((s) => ({
          settlementId: s.id,
          institution: s.institution_name,
          day: s.day,
          state: s.state,
          totalFen: Number(s.total_fen),
          accountFen: Number(s.account_fen),
          selfFen: Number(s.self_fen),
          items: items
            .filter((i) => i.settlement_id === s.id)
            .map((i) => ({
              name: i.name,
              class: i.class,
              quantity: Number(i.quantity),
              amountFen: Number(i.amount_fen),
              accountFen: Number(i.account_fen),
              selfFen: Number(i.self_fen),
            })),
        })),
      };
    },

    /** The holder's statement for a period: opening balance, each entry with the running balance, closing. */
    async statement(actor: Actor, from: string, to: string) {
      const personId = holderPersonId(actor);
      if (to < from) throw new DomainError("VALIDATION_FAILED", { summary: "to: not before from" });
      const account = ledgerAccount.personal(personId);
      const opening = await repo.sumOf(db, { account, beforeDay: from });
      const entries = await repo.entries(db, account, from, to);
      let balance = opening;
      return {
        from,
        to,
        openingFen: opening,
        entries: entries.map((e) => {
          balance += Number(e.amount_fen);
          return { day: e.day, at: e.at, kind: e.kind, amountFen: Number(e.amount_fen), balanceFen: balance };
        }),
        closingFen: balance,
      };
    },

    /** For tests and audits: the sum of every ledger entry (zero when the books balance) and of one account. */
    async ledgerSums(personId?: string) {
      return {
        total: await repo.sumOf(db),
        personal: personId ? await repo.sumOf(db, { account: ledgerAccount.personal(personId) }) : 0,
      };
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

function refundView(
  r: Database["settlement_refunds"],
  settlementId: string,
  replayed: boolean,
  state?: string,
) {
  return {
    refundId: r.id,
    settlementId,
    replayed,
    accountFen: Number(r.account_fen),
    selfFen: Number(r.self_fen),
    lines: JSON.parse(r.lines) as { line: number; quantity: number }[],
    state,
  };
}

export type MedicalService = ReturnType<typeof createMedicalService>;
