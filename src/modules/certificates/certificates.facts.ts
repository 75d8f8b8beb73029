import { monthsBetween, previousMonth } from "../../shared/clock.ts";
import {
  coordinationArea,
  type EnrolmentStatus,
  SCHEMES,
  type Scheme,
} from "../enrolment/enrolment.rules.ts";

/**
 * What a rights record (个人权益记录) and an enrolment certificate (参保证明) certify, built from the
 * person's records (pure; the service reads the records, the register keeps the result as the
 * certificate's facts). Names and ID numbers are masked here: the register never holds them in clear.
 */

/** A person's records as the enrolment and medical registers hold them. */
export type PersonRecords = Readonly<{
  enrolments: readonly {
    scheme: string;
    area_code: string;
    coordination_area: string;
    personal_number: string;
    start_date: string;
    status: EnrolmentStatus;
  }[];
  /** Paid contribution months, by coordination area. */
  contributions: readonly { month: string; coordination_area: string }[];
  credits: readonly { month: string; amount_fen: number }[];
  settlements: readonly { day: string; account_fen: number; refunded_account_fen: number }[];
  balanceFen: number;
}>;

export type EnrolmentFact = {
  scheme: Scheme;
  areaCode: string;
  personalNumber: string;
  startDate: string;
  status: EnrolmentStatus;
};
export type ContributionYear = { coordinationArea: string; year: string; paid: string[]; arrears: string[] };

const enrolmentFacts = (records: PersonRecords, area?: string): EnrolmentFact[] =>
  records.enrolments
    .filter((e) => area === undefined || e.coordination_area === area)
    .map((e) => ({
      scheme: e.scheme as Scheme,
      areaCode: e.area_code,
      personalNumber: e.personal_number,
      startDate: e.start_date,
      status: e.status,
    }))
    .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.scheme.localeCompare(b.scheme));

/**
 * Contributions by coordination area and year: the months paid, and the months in arrears — the unpaid
 * months due of an employee medical enrolment (monthly contributions; the month in progress is not due),
 * as the arrears run counts them.
 */
export function contributionYears(records: PersonRecords, today: string, area?: string): ContributionYear[] {
  const lastDue = previousMonth(today.slice(0, 7));
  const byKey = new Map<string, ContributionYear>();
  const entry = (coordination: string, month: string) => {
    const key = `${coordination}|${month.slice(0, 4)}`;
    let row = byKey.get(key);
    if (!row) {
      row = { coordinationArea: coordination, year: month.slice(0, 4), paid: [], arrears: [] };
      byKey.set(key, row);
    }
    return row;
  };
  const paid = new Set<string>();
  for (const c of records.contributions) {
    if (area !== undefined && c.coordination_area !== area) continue;
    paid.add(`${c.coordination_area}|${c.month}`);
    entry(c.coordination_area, c.month).paid.push(c.month.slice(5));
  }
  for (const e of records.enrolments) {
    if (e.scheme !== "employee_medical" || (e.status !== "active" && e.status !== "suspended")) continue;
    if (area !== undefined && e.coordination_area !== area) continue;
    const from = e.start_date.slice(0, 7);
    if (from > lastDue) continue;
    for (const m of monthsBetween(from, lastDue))
      if (!paid.has(`${e.coordination_area}|${m}`)) {
        const row = entry(e.coordination_area, m);
        if (!row.arrears.includes(m.slice(5))) row.arrears.push(m.slice(5));
      }
  }
  return [...byKey.values()]
    .map((r) => ({ ...r, paid: [...new Set(r.paid)].sort(), arrears: r.arrears.sort() }))
    .sort((a, b) => a.coordinationArea.localeCompare(b.coordinationArea) || a.year.localeCompare(b.year));
}

/** The personal rights record: every enrolment, contributions by year and month, the medical account this year. */
export function rightsRecordFacts(
  holder: { nameMasked: string; idNumberMasked: string },
  records: PersonRecords,
  today: string,
) {
  const year = today.slice(0, 4);
  const thisYear = records.settlements.filter((s) => s.day.startsWith(year));
  return {
    ...holder,
    asOf: today,
    enrolments: enrolmentFacts(records),
    contributions: contributionYears(records, today),
    account: {
      year,
      balanceFen: records.balanceFen,
      creditsFen: records.credits
        .filter((c) => c.month.startsWith(year))
        .reduce((sum, c) => sum + Number(c.amount_fen), 0),
      settlementsFen: thisYear.reduce(
        (sum, s) => sum + Number(s.account_fen) - Number(s.refunded_account_fen),
        0,
      ),
      settlementCount: thisYear.length,
    },
  };
}

/**
 * The enrolment certificate: the schemes and periods in one coordination area, for a stated purpose,
 * as of today (undefined: nothing to certify there).
 */
export function enrolmentCertificateFacts(
  holder: { nameMasked: string; idNumberMasked: string },
  records: PersonRecords,
  input: { coordinationArea: string; purpose: string },
  today: string,
) {
  const area = coordinationArea(input.coordinationArea);
  const enrolments = enrolmentFacts(records, area);
  if (enrolments.length === 0) return undefined;
  const years = contributionYears(records, today, area);
  return {
    ...holder,
    asOf: today,
    coordinationArea: area,
    purpose: input.purpose,
    enrolments,
    paidMonths: years.reduce((n, y) => n + y.paid.length, 0),
    arrearsMonths: years.reduce((n, y) => n + y.arrears.length, 0),
  };
}

/** Months "01","02","03","05" written as "1–3、5月" (zh) or "Jan–Mar, May" (en). */
export function monthRanges(months: readonly string[], lang: "zh" | "en"): string {
  const n = [...months].map(Number).sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const m of n) {
    const last = ranges.at(-1);
    if (last && m === last[1] + 1) last[1] = m;
    else ranges.push([m, m]);
  }
  if (lang === "zh")
    return ranges.length ? `${ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join("、")}月` : "—";
  const name = (m: number) =>
    new Date(Date.UTC(2000, m - 1, 1)).toLocaleString("en", { month: "short", timeZone: "UTC" });
  return ranges.map(([a, b]) => (a === b ? name(a) : `${name(a)}–${name(b)}`)).join(", ") || "—";
}

export const schemeName = (scheme: Scheme, lang: "zh" | "en") => SCHEMES[scheme]?.[lang] ?? scheme;
