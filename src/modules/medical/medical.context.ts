import type { Kysely, Transaction } from "kysely";
import type { CardRow, Database, PersonRow } from "../../db/schema.ts";
import {
  type Actor,
  areaCovers,
  authorize,
  type Grant,
  INSTITUTION_ROLES,
  type Role,
  rolesOn,
} from "../../shared/auth.ts";
import { type Clock, chinaDate } from "../../shared/clock.ts";
import { DomainError } from "../../shared/errors.ts";
import { timeOrderedId } from "../../shared/ids.ts";
import { maskCardNumber } from "../../shared/mask.ts";
import type { Permission } from "../../shared/permissions.ts";
import type { AreasService } from "../areas/areas.service.ts";
import type { AuditService } from "../audit/audit.service.ts";
import type { CardsRepository } from "../cards/cards.repository.ts";
import type { ChipRepository } from "../chip/chip.repository.ts";
import type { AttemptLog } from "../credentials/attempt-log.ts";
import { clearPinRefused } from "../credentials/pin.rules.ts";
import type { EnrolmentRepository } from "../enrolment/enrolment.repository.ts";
import { MEDICAL_PERMISSIONS } from "./medical.permissions.ts";
import type { MedicalRepository } from "./medical.repository.ts";
import type { CatalogueEntry } from "./medical.rules.ts";

/** Ledger account names: a person's medical account, an area's fund, what is owed to an institution. */
export const ledgerAccount = {
  personal: (personId: string) => `personal:${personId}`,
  fund: (area: string) => `fund:${area}`,
  institution: (id: string) => `institution:${id}`,
};

/** What the medical use cases are made from. */
/** A settlement another province's hospital makes on a card, as it crosses the national hub (either way). */
export type RemoteSettleInput = Readonly<{
  /** The card, or (instead) a payment code of its e-card issued by the national platform. */
  cardNumber?: string;
  ecardCode?: string;
  pin?: string;
  items: readonly { code: string; quantity: number; unitPriceFen: number }[];
  acceptSelfPay?: boolean;
  idempotencyKey: string;
  /** The treating hospital: its key is scoped by its province and code. */
  institution: { code: string; name: string };
  terminalNo: string;
}>;

/** A refund of a cross-province settlement, sent to the home province that settled it. */
export type RemoteRefundInput = Readonly<{
  settlementId: string;
  /** The key the institution settled with (the hub finds the settlement by it). */
  settlementKey: string;
  idempotencyKey: string;
  lines?: readonly { line: number; quantity: number }[];
  institution: { code: string; name: string };
  terminalNo: string;
}>;

/** A refund as the institution sees it (here, or at the home province of a cross-province settlement). */
export type RefundView = {
  refundId: string;
  settlementId: string;
  replayed: boolean;
  accountFen: number;
  selfFen: number;
  lines: { line: number; quantity: number }[];
  /** The day the refund counts in (the area's date). */
  day: string;
  state?: string;
};

export type MedicalDeps = Readonly<{
  /** The password-attempt log, written in each settlement batch's transaction. */
  attempts: Pick<AttemptLog, "writeInto">;
  db: Kysely<Database>;
  repo: MedicalRepository;
  cards: CardsRepository;
  /** The terminals (the chip module's register): which institution a terminal settles for. */
  terminals: Pick<ChipRepository, "terminal" | "setTerminalInstitution">;
  enrolment: EnrolmentRepository;
  areas: AreasService;
  audit: AuditService;
  clock: Clock;
  /** The day an employer first hired a person, if it ever did (employers' register). */
  hiredOn: (q: Kysely<Database>, employerId: string, personId: string) => Promise<string | undefined>;
  findPerson: (q: Kysely<Database>, idNumber: string) => Promise<PersonRow | undefined>;
  verifyCardPassword: (actor: Actor, card: CardRow, pin: string, source: string) => Promise<unknown>;
  /** A temporary medical certificate by its number (the certificates register), valid today or not. */
  temporaryCertificate: (
    q: Kysely<Database>,
    serial: string,
  ) => Promise<{ cardId: string; valid: boolean; row: Database["certificates"] } | undefined>;
  /** Certificates by number, read in a settlement batch's transaction (their cards held). */
  certificatesIn: (
    trx: Transaction<Database>,
    serials: readonly string[],
  ) => Promise<Map<string, Database["certificates"]>>;
  /** The holder's password with a temporary certificate: the lost card's, with its lockout. */
  verifyForTemporaryCertificate: (
    actor: Actor,
    lostCard: CardRow,
    pin: string,
    source: string,
  ) => Promise<unknown>;
  /** Verifies an e-card payment code online (single use) and answers its card. */
  cardOfPaymentCode: (actor: Actor, code: string) => Promise<CardRow>;
  /** The home province of another province's national e-card payment code (undefined: this province's). */
  homeOfNationalCode?: (code: string) => string | undefined;
  /** The card a reader slot of the caller authenticated with the terminal's PSAM, and whether its PIN was verified. */
  readerCard: (
    actor: Actor,
    slotId: string,
  ) => Promise<{ cardIdCode: string; terminalNo: string; pinVerified: boolean }>;
  /**
   * A settlement on a card this province does not hold, through the national hub to the card's home
   * province (issue 24): its receipt there, or undefined when no province holds the card.
   */
  remoteSettle?: (
    input: RemoteSettleInput,
  ) => Promise<(ReturnType<typeof receipt> & { homeProvince: { code: string; name: string } }) | undefined>;
  /** A refund of a cross-province settlement, through the hub to the province that settled it. */
  remoteRefund?: (input: RemoteRefundInput) => Promise<RefundView>;
}>;

export function receipt(
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

export type Receipt = ReturnType<typeof receipt>;

/** The helpers the medical use cases share: policies, journals, the institution of a terminal, the catalogue in force, receipts and idempotent replays. */
export function createMedicalContext(deps: MedicalDeps) {
  const { db, repo, audit, clock } = deps;
  // Read-mostly data remembered in this process: the terminal's institution and the catalogue version
  // in force for CACHE_MS (changes made here clear them at once), a version's items for good.
  const CACHE_MS = 5_000;
  const institutionOfTerminal = new Map<string, { row: Database["institutions"] | undefined; at: number }>();
  const catalogueOfDay = new Map<string, { version: number | undefined; at: number }>();
  const catalogueItems = new Map<string, CatalogueEntry | undefined>();
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
      const terminal = await deps.terminals.terminal(db, terminalNo);
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

  async function receiptOf(s: Database["settlements"], replayed: boolean) {
    const [items, institution, card] = await Promise.all([
      repo.settlementItems(db, s.id),
      repo.institutionById(db, s.institution_id),
      deps.cards.byId(db, s.card_id),
    ]);
    return receipt(s, items, institution!, card?.card_number ?? "", replayed);
  }

  /**
   * A settlement on a card another province holds, through the national hub to its home province:
   * the receipt there with this institution's own key and name, or undefined when no province holds it.
   */
  async function settledElsewhere(
    actor: Actor,
    input: {
      terminalNo: string;
      idempotencyKey: string;
      card?: { cardNumber: string; pin?: string };
      ecardCode?: string;
      items: readonly { code: string; quantity: number; unitPriceFen: number }[];
      acceptSelfPay?: boolean;
    },
    institution: Database["institutions"],
  ) {
    if (!deps.remoteSettle || !(input.card || input.ecardCode)) return undefined;
    // PIN blocks are not translated between provinces: a terminal's password cannot cross, and never in clear.
    if (input.card?.pin !== undefined && clearPinRefused(actor)) throw new DomainError("PIN_BLOCK_REQUIRED");
    const remote = await deps.remoteSettle({
      ...(input.card ? { cardNumber: input.card.cardNumber } : { ecardCode: input.ecardCode }),
      ...(input.card?.pin === undefined ? {} : { pin: input.card.pin }),
      items: input.items,
      ...(input.acceptSelfPay === undefined ? {} : { acceptSelfPay: input.acceptSelfPay }),
      idempotencyKey: input.idempotencyKey,
      institution: { code: institution.code, name: institution.name },
      terminalNo: input.terminalNo,
    });
    if (!remote) return undefined;
    // This province's copy, with its audit record: the institution finds, refunds and reconciles it.
    await db.transaction().execute(async (trx) => {
      const at = clock.now().toISOString();
      const added = await repo.insertRemoteSettlement(trx, {
        ...{ id: remote.settlementId, institution_id: institution.id, idempotency_key: input.idempotencyKey },
        ...{ home_province: remote.homeProvince.code, medium: remote.medium, day: remote.day, at },
        total_fen: remote.totals.totalFen,
        account_fen: remote.totals.accountFen,
        self_fen: remote.totals.selfFen,
      });
      if (added)
        await audit.record(trx, actor, undefined, {
          action: "medical.settle.national",
          subjectType: "settlement",
          subjectId: remote.settlementId,
          areaCode: institution.area_code,
          after: { homeProvince: remote.homeProvince.code, ...remote.totals },
        });
    });
    return {
      ...remote,
      idempotencyKey: input.idempotencyKey,
      institution: { code: institution.code, name: institution.name },
    };
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

  return {
    deps,
    db,
    repo,
    audit,
    clock,
    today,
    medicalPolicy,
    journal,
    post,
    institutionOf,
    operatorOf,
    receiptOf,
    replay,
    catalogueFor,
    settledElsewhere,
    institutionOfTerminal,
    catalogueOfDay,
    catalogueItems,
    CACHE_MS,
  };
}

export type MedicalContext = ReturnType<typeof createMedicalContext>;
