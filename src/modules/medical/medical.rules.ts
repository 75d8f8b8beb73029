/**
 * The money rules of the medical personal account, pure: pricing a basket by the catalogue, the split
 * between the personal account and self-pay, refunds in proportion, contributions by base or grade,
 * and arrears. Money is integers in fen; rates are basis points (100 bp = 1%).
 */

import { DomainError } from "../../shared/errors.ts";
import type { MedicalPolicy } from "../areas/areas.rules.ts";
import { CHECK_DIAGNOSTICS, type CheckDiagnostic } from "../enrolment/enrolment.rules.ts";

export type CatalogueClass = "A" | "B" | "none";
export type CatalogueEntry = Readonly<{
  code: string;
  name: string;
  class: CatalogueClass;
  selfPayBp: number;
}>;
export type BasketLine = Readonly<{ code: string; quantity: number; unitPriceFen: number }>;

export type PricedLine = Readonly<{
  line: number;
  code: string;
  name: string;
  class: CatalogueClass;
  quantity: number;
  unitPriceFen: number;
  amountFen: number;
  /** What the insurance covers (class A all, class B all but its self-pay ratio, not covered none). */
  coveredFen: number;
  /** Paid from the personal account (the covered part, up to the balance). */
  accountFen: number;
  selfFen: number;
}>;

export type Totals = Readonly<{ totalFen: number; coveredFen: number; accountFen: number; selfFen: number }>;

/** Limits that keep every amount an exact integer far below 2^53. */
export const MAX_UNIT_PRICE_FEN = 100_000_000;
export const MAX_QUANTITY = 9_999;
export const MAX_LINES = 200;

export type BasketProblem = Readonly<{ line: number; code: string; reason: "not_in_catalogue" }>;

/** What is wrong with a basket's shape (lines, whole quantities and prices in range), if anything. */
export function basketProblem(items: readonly BasketLine[]): string | undefined {
  if (items.length < 1 || items.length > MAX_LINES) return `items: 1 to ${MAX_LINES} lines`;
  for (const [i, l] of items.entries())
    if (
      !Number.isSafeInteger(l.quantity) ||
      l.quantity < 1 ||
      l.quantity > MAX_QUANTITY ||
      !Number.isSafeInteger(l.unitPriceFen) ||
      l.unitPriceFen < 0 ||
      l.unitPriceFen > MAX_UNIT_PRICE_FEN
    )
      return `items[${i}]: quantity 1–${MAX_QUANTITY} and unitPriceFen 0–${MAX_UNIT_PRICE_FEN}, whole numbers`;
  return undefined;
}

export type RowProblem = Readonly<{ line: number; field: string; problem: string }>;

/**
 * A catalogue file's rows (`code,name,class,self_pay_percent`) as entries, and every row's problems:
 * codes unique, class A, B or none, a self-pay percent (up to 2 decimals) only for class B.
 */
export function readCatalogueRows(rows: readonly { line: number; values: Record<string, string> }[]): {
  items: CatalogueEntry[];
  problems: RowProblem[];
} {
  const problems: RowProblem[] = [];
  const seen = new Set<string>();
  const items: CatalogueEntry[] = [];
  for (const r of rows) {
    const v = r.values;
    const code = v.code.trim();
    const cls = v.class.trim();
    const pct = v.self_pay_percent.trim();
    const no = (field: string, problem: string) => problems.push({ line: r.line, field, problem });
    if (!/^[A-Za-z0-9.-]{1,32}$/.test(code)) no("code", "1–32 letters, digits, dots or dashes");
    else if (seen.has(code)) no("code", "listed twice");
    seen.add(code);
    if (!v.name.trim() || v.name.length > 200) no("name", "1–200 characters");
    if (!["A", "B", "none"].includes(cls)) no("class", "A, B or none");
    const bp = /^\d{1,3}(\.\d{1,2})?$/.test(pct) ? Math.round(Number(pct) * 100) : Number.NaN;
    if (Number.isNaN(bp) || bp > 10_000) no("self_pay_percent", "0–100, up to 2 decimals");
    else if (cls === "B" && (bp <= 0 || bp >= 10_000))
      no("self_pay_percent", "class B: above 0 and below 100");
    else if (cls !== "B" && bp !== 0) no("self_pay_percent", "only class B has a ratio");
    items.push({ code, name: v.name.trim(), class: cls as CatalogueClass, selfPayBp: cls === "B" ? bp : 0 });
  }
  if (items.length === 0) problems.push({ line: 1, field: "rows", problem: "no items" });
  return { items, problems };
}

/** The covered part of an amount: class A all of it, class B less its self-pay ratio (rounded up), else none. */
export function coveredPart(amountFen: number, entry: CatalogueEntry): number {
  if (entry.class === "A") return amountFen;
  if (entry.class === "B") return amountFen - Math.ceil((amountFen * entry.selfPayBp) / 10_000);
  return 0;
}

/**
 * Prices a basket by the catalogue in force and splits it: the covered part is paid from the personal
 * account in line order until the balance is used up; everything else is self-paid.
 */
export function priceBasket(
  lines: readonly BasketLine[],
  catalogue: (code: string) => CatalogueEntry | undefined,
  balanceFen: number,
): { ok: true; lines: PricedLine[]; totals: Totals } | { ok: false; problem: BasketProblem } {
  let left = Math.max(0, balanceFen);
  const priced: PricedLine[] = [];
  for (const [i, l] of lines.entries()) {
    const entry = catalogue(l.code);
    if (!entry) return { ok: false, problem: { line: i + 1, code: l.code, reason: "not_in_catalogue" } };
    const amountFen = l.unitPriceFen * l.quantity;
    const coveredFen = coveredPart(amountFen, entry);
    const accountFen = Math.min(coveredFen, left);
    left -= accountFen;
    priced.push({
      line: i + 1,
      code: entry.code,
      name: entry.name,
      class: entry.class,
      quantity: l.quantity,
      unitPriceFen: l.unitPriceFen,
      amountFen,
      coveredFen,
      accountFen,
      selfFen: amountFen - accountFen,
    });
  }
  return { ok: true, lines: priced, totals: totalsOf(priced) };
}

/** Why a settlement is refused once its card and account are held. */
export type SettlementRefusal =
  | { reason: "card_not_usable"; state: string }
  | { reason: "insurance_flagged"; diagnostic: CheckDiagnostic }
  | { reason: "not_in_catalogue"; line: number; code: string }
  | { reason: "insufficient_balance"; balanceFen: number; coveredFen: number };

/**
 * A settlement decided against its card and account as held now, refusals in this order: the card no
 * longer usable (a loss reported since the request was checked; a state other than active passes only
 * if it is the one the request was checked in), arrears that suspend the medical function, an item not
 * in the catalogue; then the basket priced against the balance, a shortfall of the covered part
 * self-paid unless the holder declines it.
 */
export function settlementOf(s: {
  cardState: string;
  seenState: string;
  /** What the online check flags in the holder's insurance records (undefined: nothing). */
  standing: CheckDiagnostic | undefined;
  balanceFen: number;
  items: readonly BasketLine[];
  catalogue: (code: string) => CatalogueEntry | undefined;
  acceptSelfPay: boolean;
}): { ok: true; lines: PricedLine[]; totals: Totals } | { ok: false; refusal: SettlementRefusal } {
  if (s.cardState !== "active" && s.cardState !== s.seenState)
    return { ok: false, refusal: { reason: "card_not_usable", state: s.cardState } };
  if (s.standing) return { ok: false, refusal: { reason: "insurance_flagged", diagnostic: s.standing } };
  const priced = priceBasket(s.items, s.catalogue, s.balanceFen);
  if (!priced.ok)
    return {
      ok: false,
      refusal: { reason: "not_in_catalogue", line: priced.problem.line, code: priced.problem.code },
    };
  const t = priced.totals;
  if (t.accountFen < t.coveredFen && !s.acceptSelfPay)
    return {
      ok: false,
      refusal: { reason: "insufficient_balance", balanceFen: s.balanceFen, coveredFen: t.coveredFen },
    };
  return priced;
}

export function totalsOf(
  lines: readonly Pick<PricedLine, "amountFen" | "coveredFen" | "accountFen" | "selfFen">[],
): Totals {
  const t = { totalFen: 0, coveredFen: 0, accountFen: 0, selfFen: 0 };
  for (const l of lines) {
    t.totalFen += l.amountFen;
    t.coveredFen += l.coveredFen;
    t.accountFen += l.accountFen;
    t.selfFen += l.selfFen;
  }
  return t;
}

/**
 * What goes back when `quantity` more units of a line are refunded, `before` having been refunded
 * already: each part in proportion, rounded down, so that refunding the last unit returns exactly what
 * is left and the parts never exceed what was paid.
 */
export function refundOfLine(
  line: Pick<PricedLine, "quantity" | "accountFen" | "selfFen">,
  before: number,
  quantity: number,
): { accountFen: number; selfFen: number } {
  const share = (fen: number, q: number) => Math.floor((fen * q) / line.quantity);
  return {
    accountFen: share(line.accountFen, before + quantity) - share(line.accountFen, before),
    selfFen: share(line.selfFen, before + quantity) - share(line.selfFen, before),
  };
}

export type ContributionInput =
  | { payer: "employer"; declaredBaseFen: number }
  | { payer: "self"; gradePercent: number };

export type Contribution = Readonly<{
  baseFen: number;
  employerFen: number;
  personalFen: number;
  accountShareFen: number;
  gradePercent: number | null;
}>;

/**
 * A month's medical contribution: an employee's declared base kept between the area's floor and ceiling
 * (percentages of the average wage), or a flexible worker's chosen grade; each part rounded to the fen.
 */
export function contributionOf(
  policy: MedicalPolicy,
  input: ContributionInput,
): { ok: true; value: Contribution } | { ok: false; problem: "unknown_grade" } {
  const pct = (p: number) => Math.round((policy.averageMonthlyWageFen * p) / 100);
  const part = (base: number, bp: number) => Math.round((base * bp) / 10_000);
  if (input.payer === "self") {
    if (!policy.contributionGradesPercent.includes(input.gradePercent))
      return { ok: false, problem: "unknown_grade" };
    const baseFen = pct(input.gradePercent);
    return {
      ok: true,
      value: {
        baseFen,
        employerFen: 0,
        personalFen: part(baseFen, policy.flexibleRateBp),
        accountShareFen: part(baseFen, policy.accountShareBp),
        gradePercent: input.gradePercent,
      },
    };
  }
  const baseFen = Math.min(
    Math.max(input.declaredBaseFen, pct(policy.baseFloorPercent)),
    pct(policy.baseCeilingPercent),
  );
  return {
    ok: true,
    value: {
      baseFen,
      employerFen: part(baseFen, policy.employerRateBp),
      personalFen: part(baseFen, policy.personalRateBp),
      accountShareFen: part(baseFen, policy.accountShareBp),
      gradePercent: null,
    },
  };
}

/** The month before a month (YYYY-MM). */
/**
 * Whether an employer may pay a person's contribution for `month`: only for its employee, from the
 * month of hiring on (`hiredOn`: the day it first hired the person, undefined if it never did).
 */
export function employerMayPay(hiredOn: string | undefined, month: string): boolean {
  return hiredOn !== undefined && hiredOn.slice(0, 7) <= month;
}

/** The error a caller gets for a settlement refused by the rules. */
export function refusalError(r: SettlementRefusal): DomainError {
  switch (r.reason) {
    case "card_not_usable":
      return new DomainError("CARD_NOT_USABLE", { state: r.state });
    case "insurance_flagged":
      // The online check's diagnostic, with the seed's cause and remedy for the operator to tell the holder.
      return r.diagnostic === "MEDICAL_FUNCTION_SUSPENDED"
        ? new DomainError("MEDICAL_FUNCTION_SUSPENDED")
        : new DomainError("INSURANCE_CHECK_FAILED", {
            diagnostic: { code: r.diagnostic, ...CHECK_DIAGNOSTICS[r.diagnostic] },
          });
    case "not_in_catalogue":
      return new DomainError("ITEM_NOT_IN_CATALOGUE", { line: r.line, code: r.code });
    case "insufficient_balance":
      return new DomainError("INSUFFICIENT_BALANCE", { balanceFen: r.balanceFen, coveredFen: r.coveredFen });
  }
}
