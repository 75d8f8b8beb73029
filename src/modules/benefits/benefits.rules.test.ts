import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { amountFen, BENEFIT_FAILURES, benefitRemedy, benefitTarget } from "./benefits.rules.ts";

const card = (over: Partial<Parameters<typeof benefitTarget>[0][number]> = {}) => ({
  card_number: "A00000001",
  state: "active",
  financial_function: "activated" as const,
  bank_code: "ICBC",
  created_at: "2026-01-01T00:00:00.000Z",
  ...over,
});

describe("benefits paid to the card: which card, and why not", () => {
  it("pays to the newest card that is not cancelled, when its financial function is active", () => {
    const old = card({
      card_number: "OLD000001",
      state: "cancelled",
      created_at: "2020-01-01T00:00:00.000Z",
    });
    const fresh = card({ card_number: "NEW000001" });
    assert.deepEqual(benefitTarget([fresh, old]), { card: fresh, failure: null });
    const lost = card({ state: "temporarily_lost" });
    assert.equal(benefitTarget([lost]).failure, null, "a lost card's bank account still receives");
  });

  it("names the failure: no card, not activated, account closed, every card cancelled", () => {
    assert.deepEqual(benefitTarget([]), { card: null, failure: "no_card" });
    assert.equal(benefitTarget([card({ financial_function: "not_activated" })]).failure, "not_activated");
    assert.equal(benefitTarget([card({ bank_code: null })]).failure, "not_activated");
    assert.equal(benefitTarget([card({ financial_function: "cancelled" })]).failure, "account_closed");
    assert.equal(benefitTarget([card({ state: "cancelled" })]).failure, "card_cancelled");
    // A replacement's new card: its financial function starts not activated, whatever the old one's was.
    const replaced = [
      card({ state: "cancelled", created_at: "2025-01-01T00:00:00.000Z" }),
      card({ card_number: "NEW000002", state: "applied", financial_function: "not_activated" }),
    ];
    assert.deepEqual(
      [benefitTarget(replaced).failure, benefitTarget(replaced).card?.card_number],
      ["not_activated", "NEW000002"],
    );
  });

  it("tells the remedy with the card's bank, in both languages (seed 001: activate at any branch of the bank)", () => {
    assert.match(benefitRemedy("not_activated", "ICBC", "zh"), /到中国工商银行任一网点激活金融功能/);
    assert.match(benefitRemedy("not_activated", "XYZB", "en"), /any branch of XYZB to activate/);
    assert.match(benefitRemedy("not_activated", null, "zh"), /合作银行/);
    for (const f of BENEFIT_FAILURES) {
      assert.ok(!benefitRemedy(f, "ICBC", "zh").includes("{"), f);
      assert.ok(!benefitRemedy(f, "ICBC", "en").includes("{"), f);
    }
  });

  it("reads an amount in fen strictly", () => {
    assert.equal(amountFen("250000"), 250000);
    assert.equal(amountFen("100000000"), 100_000_000);
    for (const bad of ["0", "-1", "1.5", "012", "100000001", "1e5", " 5", "", "9".repeat(20)])
      assert.equal(amountFen(bad), null, bad);
  });
});
