import assert from "node:assert/strict";
import { randomInt } from "node:crypto";
import { describe, it } from "node:test";
import { NATIONAL_MEDICAL_POLICY } from "../areas/areas.rules.ts";
import type { CheckDiagnostic } from "../enrolment/enrolment.rules.ts";
import {
  basketProblem,
  type CatalogueEntry,
  contributionOf,
  coveredPart,
  employerMayPay,
  priceBasket,
  readCatalogueRows,
  refundOfLine,
  settlementOf,
} from "./medical.rules.ts";

const CATALOGUE: Record<string, CatalogueEntry> = {
  A1: { code: "A1", name: "阿莫西林胶囊", class: "A", selfPayBp: 0 },
  B1: { code: "B1", name: "头孢克肟片", class: "B", selfPayBp: 1000 },
  N1: { code: "N1", name: "保健品", class: "none", selfPayBp: 0 },
};
const lookup = (code: string) => CATALOGUE[code];

describe("pricing a basket", () => {
  it("covers class A fully, class B less its self-pay ratio, nothing else; the account pays up to its balance", () => {
    const r = priceBasket(
      [
        { code: "A1", quantity: 2, unitPriceFen: 1250 },
        { code: "B1", quantity: 1, unitPriceFen: 3333 },
        { code: "N1", quantity: 1, unitPriceFen: 5000 },
      ],
      lookup,
      4000,
    );
    assert.ok(r.ok);
    assert.deepEqual(
      r.lines.map((l) => [l.amountFen, l.coveredFen, l.accountFen, l.selfFen]),
      [
        [2500, 2500, 2500, 0],
        [3333, 2999, 1500, 1833], // 10% of 33.33 rounds up to 3.34 self-paid; the balance runs out
        [5000, 0, 0, 5000],
      ],
    );
    assert.deepEqual(r.totals, { totalFen: 10833, coveredFen: 5499, accountFen: 4000, selfFen: 6833 });
  });

  it("names the first line whose item is not in the catalogue", () => {
    const r = priceBasket(
      [
        { code: "A1", quantity: 1, unitPriceFen: 1 },
        { code: "X9", quantity: 1, unitPriceFen: 1 },
      ],
      lookup,
      0,
    );
    assert.deepEqual(r, { ok: false, problem: { line: 2, code: "X9", reason: "not_in_catalogue" } });
  });

  it("never pays more than the balance or the covered part, and every fen is accounted for (random baskets)", () => {
    for (let i = 0; i < 2000; i++) {
      const lines = Array.from({ length: randomInt(1, 8) }, () => ({
        code: ["A1", "B1", "N1"][randomInt(3)],
        quantity: randomInt(1, 20),
        unitPriceFen: randomInt(1, 100_000),
      }));
      const balance = randomInt(0, 200_000);
      const r = priceBasket(lines, lookup, balance);
      assert.ok(r.ok);
      assert.ok(r.totals.accountFen <= Math.min(balance, r.totals.coveredFen));
      assert.equal(r.totals.accountFen + r.totals.selfFen, r.totals.totalFen);
      if (r.totals.accountFen < r.totals.coveredFen) assert.equal(r.totals.accountFen, balance);
      for (const l of r.lines) assert.ok(Number.isSafeInteger(l.selfFen) && l.selfFen >= 0);
    }
  });

  it("rounds class B's self-paid part up to the fen", () => {
    assert.equal(coveredPart(1, CATALOGUE.B1), 0);
    assert.equal(coveredPart(10, CATALOGUE.B1), 9);
    assert.equal(coveredPart(11, CATALOGUE.B1), 9);
  });
});

describe("basket and catalogue files", () => {
  it("refuses baskets with no lines, fractional or out-of-range quantities and prices", () => {
    assert.equal(basketProblem([]), "items: 1 to 200 lines");
    assert.match(basketProblem([{ code: "A1", quantity: 1.5, unitPriceFen: 1 }]) ?? "", /^items\[0\]/);
    assert.match(basketProblem([{ code: "A1", quantity: 1, unitPriceFen: -1 }]) ?? "", /^items\[0\]/);
    assert.equal(basketProblem([{ code: "A1", quantity: 2, unitPriceFen: 0 }]), undefined);
  });

  it("reads catalogue rows and lists each row's problems", () => {
    const row = (line: number, code: string, cls: string, pct: string) => ({
      line,
      values: { code, name: "某药", class: cls, self_pay_percent: pct },
    });
    const r = readCatalogueRows([row(2, "B1", "B", "12.5"), row(3, "B1", "A", "0"), row(4, "X", "B", "100")]);
    assert.deepEqual(r.items[0], { code: "B1", name: "某药", class: "B", selfPayBp: 1250 });
    assert.deepEqual(
      r.problems.map((p) => `${p.line}:${p.field}`),
      ["3:code", "4:self_pay_percent"],
    );
    assert.deepEqual(readCatalogueRows([]).problems, [{ line: 1, field: "rows", problem: "no items" }]);
  });
});

describe("refunds", () => {
  it("refunds in proportion and returns exactly what was paid when every unit is back", () => {
    for (let i = 0; i < 2000; i++) {
      const line = {
        quantity: randomInt(1, 12),
        accountFen: randomInt(0, 50_000),
        selfFen: randomInt(0, 50_000),
      };
      let before = 0;
      let account = 0;
      let self = 0;
      while (before < line.quantity) {
        const q = randomInt(1, line.quantity - before + 1);
        const r = refundOfLine(line, before, q);
        assert.ok(r.accountFen >= 0 && r.selfFen >= 0);
        account += r.accountFen;
        self += r.selfFen;
        before += q;
      }
      assert.deepEqual([account, self], [line.accountFen, line.selfFen]);
    }
  });
});

describe("contributions and arrears", () => {
  it("keeps an employee's base within the floor and ceiling and prices a flexible worker's grade", () => {
    const p = NATIONAL_MEDICAL_POLICY; // average wage ¥9,000
    const low = contributionOf(p, { payer: "employer", declaredBaseFen: 100_000 });
    assert.ok(low.ok);
    assert.equal(low.value.baseFen, 540_000, "60% of the average wage");
    const high = contributionOf(p, { payer: "employer", declaredBaseFen: 9_000_000 });
    assert.ok(high.ok && high.value.baseFen === 2_700_000);
    const flexible = contributionOf(p, { payer: "self", gradePercent: 100 });
    assert.deepEqual(flexible.ok && flexible.value, {
      baseFen: 900_000,
      employerFen: 0,
      personalFen: 90_000,
      accountShareFen: 27_000,
      gradePercent: 100,
    });
    assert.deepEqual(contributionOf(p, { payer: "self", gradePercent: 120 }), {
      ok: false,
      problem: "unknown_grade",
    });
  });
});

describe("settlementOf", () => {
  const catalogue = (code: string): CatalogueEntry | undefined =>
    code === "A1" ? { code, name: "甲类药", class: "A", selfPayBp: 0 } : undefined;
  const base = {
    cardState: "active",
    seenState: "active",
    standing: undefined as CheckDiagnostic | undefined,
    balanceFen: 500,
    items: [{ code: "A1", quantity: 1, unitPriceFen: 800 }],
    catalogue,
    acceptSelfPay: true,
  };

  it("refuses in order: card no longer usable, insurance the online check flags, item not covered, declined shortfall", () => {
    const refusal = (over: Partial<typeof base>) => {
      const r = settlementOf({ ...base, ...over });
      return r.ok ? undefined : r.refusal;
    };
    const everything = {
      cardState: "temporarily_lost",
      standing: "MULTIPLE_ENROLMENT_IN_AREA" as const,
      items: [{ code: "X9", quantity: 1, unitPriceFen: 1 }],
      acceptSelfPay: false,
    };
    assert.deepEqual(refusal(everything), { reason: "card_not_usable", state: "temporarily_lost" });
    assert.deepEqual(refusal({ ...everything, cardState: "active" }), {
      reason: "insurance_flagged",
      diagnostic: "MULTIPLE_ENROLMENT_IN_AREA",
    });
    assert.deepEqual(refusal({ ...everything, cardState: "active", standing: undefined }), {
      reason: "not_in_catalogue",
      line: 1,
      code: "X9",
    });
    assert.deepEqual(refusal({ acceptSelfPay: false }), {
      reason: "insufficient_balance",
      balanceFen: 500,
      coveredFen: 800,
    });
  });

  it("passes a card still in the state the request was checked in; self-pays a shortfall by default", () => {
    const lostAtCheck = settlementOf({
      ...base,
      cardState: "temporarily_lost",
      seenState: "temporarily_lost",
    });
    assert.equal(lostAtCheck.ok, true, "an e-card settlement authorised while the card is lost");
    const r = settlementOf(base);
    assert.ok(r.ok);
    assert.deepEqual(r.totals, { totalFen: 800, coveredFen: 800, accountFen: 500, selfFen: 300 });
  });
});

describe("an employer's contribution", () => {
  it("is for its employee only, from the month of hiring on", () => {
    assert.equal(employerMayPay(undefined, "2026-10"), false, "never hired");
    assert.equal(employerMayPay("2026-09-30", "2026-08"), false, "before the hiring month");
    assert.equal(employerMayPay("2026-09-30", "2026-09"), true, "the hiring month itself");
    assert.equal(employerMayPay("2026-09-30", "2027-01"), true);
  });
});
