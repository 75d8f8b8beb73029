import { createHash } from "node:crypto";
import type { Transaction } from "kysely";
import { isUniqueViolation } from "../../db/database.ts";
import { createBatchGroupCommit, type Outcome, RowsBusy } from "../../db/group-commit.ts";
import type { CardRow, Database } from "../../db/schema.ts";
import { type Actor, authorize, type Grant } from "../../shared/auth.ts";
import { canonicalJson } from "../../shared/canonical-json.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import type { AuditService } from "../audit/audit.service.ts";
import { canSettle, stateOn } from "../cards/cards.rules.ts";
import { notValid, statusOn } from "../certificates/certificates.rules.ts";
import { coordinationArea, type StandingFacts, settlementStanding } from "../enrolment/enrolment.rules.ts";
import type { MedicalContext } from "./medical.context.ts";
import { ledgerAccount, type Receipt, receipt } from "./medical.context.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import {
  type BasketLine,
  basketProblem,
  type CatalogueEntry,
  priceBasket,
  refusalError,
  settlementOf,
} from "./medical.rules.ts";

const NOTHING_ON_RECORD: StandingFacts = { enrolments: [], unmergedNumbers: [], arrearsActive: false };

export type SettleInput = Readonly<{
  terminalNo: string;
  idempotencyKey: string;
  card?: { cardNumber: string; pin?: string };
  /** A reader slot of this terminal whose card the PSAM authenticated (and whose chip PIN was verified). */
  readerSlotId?: string;
  ecardCode?: string;
  /** A temporary medical certificate (during a replacement after a formal loss) and the holder's password. */
  temporaryCertificate?: { number: string; pin: string };
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
  /** Paid with a temporary medical certificate: its number (its status decides, not the card's state). */
  certificate?: string;
}>;

/** Settlements at a designated institution, written in groups (one durable commit for all that arrive while one is written). */
export function medicalSettlement(ctx: MedicalContext) {
  const {
    deps,
    db,
    repo,
    audit,
    clock,
    today,
    medicalPolicy,
    journal,
    institutionOf,
    operatorOf,
    receiptOf,
    replay,
    catalogueFor,
    settledElsewhere,
  } = ctx;
  // Settlements are written in groups: one durable commit for all that arrive while one is written,
  // each batch settled with a fixed number of statements (applySettlements).
  const settlements = createBatchGroupCommit<PendingSettlement, Receipt>({
    db,
    apply: (trx, units) => applySettlements(trx, units),
    afterRollback: (trx) => audit.forgetHead(trx),
    // The password attempts of the settlements (and any others waiting) are written with them.
    carries: [deps.attempts],
  });
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
    // The insurance each person has on record on each day, as the online check would judge it.
    const standing = new Map<string, Map<string, StandingFacts>>();
    for (const day of unique(units.map((u) => u.day)))
      standing.set(day, await deps.enrolment.standingAmong(trx, personIds, day));
    // Temporary certificates, read while their cards are held (a new card's issue and a revocation
    // change a certificate only while holding its card).
    const certificates = await deps.certificatesIn(
      trx,
      units.flatMap((u) => (u.certificate ? [u.certificate] : [])),
    );

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
      const certificate = u.certificate ? certificates.get(u.certificate) : undefined;
      const certificateStatus = certificate && statusOn(certificate, u.day);
      if (certificate && certificateStatus !== "valid") {
        outcomes.push({ ok: false, error: notValid(certificate, certificateStatus!) });
        continue;
      }
      const priced = settlementOf({
        // A valid temporary certificate stands for the card being made.
        cardState: certificate ? "active" : stateOn(card, u.day),
        seenState: u.seenState,
        standing: settlementStanding(
          standing.get(u.day)!.get(`${card.person_id}|${area}`) ?? NOTHING_ON_RECORD,
        ),
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
        medium: u.input.ecardCode ? "ecard" : u.certificate ? "tempcert" : "card",
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

  /**
   * The card a temporary medical certificate stands for (the replacement being made), after the
   * holder's password — the lost card's, counted towards its lockout. A certificate that is not valid
   * is refused with why (the new card collected, revoked, expired); the batch checks it again.
   */
  async function cardOfCertificate(
    actor: Actor,
    presented: { number: string; pin: string },
    source: string | undefined,
  ): Promise<CardRow> {
    const certificate = await deps.temporaryCertificate(db, presented.number);
    if (!certificate) throw new DomainError("CERTIFICATE_NOT_FOUND");
    if (!certificate.valid) throw notValid(certificate.row, statusOn(certificate.row, today()));
    const replacement = await deps.cards.byId(db, certificate.cardId);
    const lost = replacement?.replaces_card_id && (await deps.cards.byId(db, replacement.replaces_card_id));
    if (!replacement || !lost) throw new DomainError("CERTIFICATE_NOT_FOUND");
    await deps.verifyForTemporaryCertificate(actor, lost, presented.pin, source ?? "terminal");
    return replacement;
  }

  return {
    /**
     * Settles a basket at a designated institution's terminal, once per idempotency key: the card (with
     * its password where the area requires it) or an e-card payment code; each item priced and classed
     * by the catalogue in force today; the covered part paid from the personal account up to its
     * balance, the rest self-paid (or refused when the holder declines).
     */
    /**
     * What a basket costs before anyone pays: each item priced and classed by the catalogue in force,
     * its covered part (payable from a personal account, up to its balance) and its self-paid part.
     */
    async quote(actor: Actor, input: { terminalNo: string; items: readonly BasketLine[] }) {
      await institutionOf(actor, input.terminalNo);
      const basket = basketProblem(input.items);
      if (basket) throw new DomainError("VALIDATION_FAILED", { summary: basket });
      const { version, lookup } = await catalogueFor(
        today(),
        input.items.map((i) => i.code),
      );
      const priced = priceBasket(input.items, lookup, 0);
      if (!priced.ok)
        throw new DomainError("ITEM_NOT_IN_CATALOGUE", {
          line: priced.problem.line,
          code: priced.problem.code,
        });
      return {
        catalogueVersion: version,
        lines: priced.lines.map(
          ({ line, code, name, class: cls, quantity, unitPriceFen, amountFen, coveredFen }) => ({
            line,
            code,
            name,
            class: cls,
            quantity,
            unitPriceFen,
            amountFen,
            coveredFen,
          }),
        ),
        totals: { totalFen: priced.totals.totalFen, coveredFen: priced.totals.coveredFen },
      };
    },

    /**
     * `at`: the institution the settlement is made for, when it is not the caller's terminal's (a
     * settlement another province's hospital makes on this province's card, through the national hub).
     */
    async settle(
      actor: Actor,
      input: SettleInput,
      at?: { institution: Database["institutions"]; grant: Grant },
    ) {
      const { institution, grant } = at ?? (await institutionOf(actor, input.terminalNo));
      const media = [input.card, input.readerSlotId, input.ecardCode, input.temporaryCertificate];
      if (media.filter((x) => x !== undefined).length !== 1)
        throw new DomainError("VALIDATION_FAILED", {
          summary: "card, readerSlotId, ecardCode or temporaryCertificate: one of them",
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
            temporaryCertificate: input.temporaryCertificate?.number ?? null,
            items: input.items.map((i) => [i.code, i.quantity, i.unitPriceFen]),
            acceptSelfPay: input.acceptSelfPay !== false,
          }),
        )
        .digest("hex");
      // A retry answers the first result, before any other check. Paying by card, the card (through
      // its owner's repository) and the key are read at once.
      const [byCard, first] = await Promise.all([
        input.card ? deps.cards.byNumber(db, input.card.cardNumber) : undefined,
        replay(institution.id, input.idempotencyKey, requestHash),
      ]);
      if (first) return first;
      const day = today();
      if (day < institution.agreement_from || day > institution.agreement_until)
        throw new DomainError("INSTITUTION_NOT_DESIGNATED", {
          reason: "agreement_lapsed",
          agreementUntil: institution.agreement_until,
        });
      // A card another province holds (or its national e-card's code): its home province settles it,
      // through the national hub.
      const foreign =
        !at && ((input.card && !byCard) || (input.ecardCode && deps.homeOfNationalCode?.(input.ecardCode)));
      const elsewhere = foreign ? await settledElsewhere(actor, input, institution) : undefined;
      if (elsewhere) return elsewhere;
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
      else if (input.temporaryCertificate)
        card = await cardOfCertificate(actor, input.temporaryCertificate, input.source);
      else if (input.readerSlotId) {
        // The terminal's PSAM authenticated the card (internal and external authentication) when it
        // was read; the chip PIN verified in the same slot is the holder's password at this terminal.
        const read = await deps.readerCard(actor, input.readerSlotId);
        if (read.terminalNo !== input.terminalNo)
          throw new DomainError("VALIDATION_FAILED", { summary: "readerSlotId: a slot of this terminal" });
        const found = await deps.cards.byIdCode(db, read.cardIdCode);
        if (!found) throw new DomainError("CARD_NOT_FOUND");
        card = found;
        if (!canSettle(card.state)) throw new DomainError("CARD_NOT_USABLE", { state: card.state });
        if ((await medicalPolicy(card.area_code)).settlementPasswordRequired && !read.pinVerified)
          throw new DomainError("PASSWORD_REQUIRED");
      } else {
        if (!byCard) throw new DomainError("CARD_NOT_FOUND");
        card = byCard;
        if (!canSettle(card.state)) throw new DomainError("CARD_NOT_USABLE", { state: card.state });
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
        certificate: input.temporaryCertificate?.number,
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
  };
}
