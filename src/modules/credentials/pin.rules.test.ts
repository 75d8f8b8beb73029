import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  afterWrongPin,
  attemptsLeft,
  initialPin,
  throttleWindow,
  usableForPassword,
  weakPinReason,
} from "./pin.rules.ts";

describe("social security password rules", () => {
  it("takes the initial password from the policy", () => {
    assert.equal(initialPin("A12345678", { initialPassword: { rule: "card_number_last6" } }), "345678");
    assert.equal(initialPin("H7777777Q", { initialPassword: { rule: "card_number_last6" } }), "777777");
    assert.equal(initialPin("AB1CDEFGH", { initialPassword: { rule: "card_number_last6" } }), "000001");
    assert.equal(initialPin("A12345678", { initialPassword: { rule: "fixed", value: "123456" } }), "123456");
  });

  it("refuses weak passwords with the reason", () => {
    const holder = { idNumber: "33010619900307123X", birthDate: "1990-03-07" };
    const cases: [string, string | undefined][] = [
      ["12345", "not_six_digits"],
      ["12a456", "not_six_digits"],
      ["888888", "same_digit"],
      ["123456", "sequence"],
      ["654321", "sequence"],
      ["890123", "sequence"],
      ["07123X".replace("X", "9"), undefined],
      ["900307", "birth_date"],
      ["030790", "birth_date"],
      ["070390", "birth_date"],
      ["731904", undefined],
    ];
    for (const [pin, reason] of cases) assert.equal(weakPinReason(pin, holder), reason, pin);
    assert.equal(
      weakPinReason("071234", { idNumber: "330106199003071234", birthDate: "1990-03-07" }),
      "id_number",
    );
    assert.equal(weakPinReason("345978", holder, "345978"), "initial");
  });

  it("locks at the threshold of consecutive wrong entries", () => {
    const lockout = { mode: "consecutive" as const, threshold: 6 };
    let c = { failures: 0, day: null as string | null };
    for (let i = 1; i <= 6; i++) {
      const next = afterWrongPin(c, lockout, i < 4 ? "2026-11-22" : "2026-11-23");
      assert.equal(next.locked, i === 6, `attempt ${i}`);
      c = next;
    }
  });

  it("checks passwords for transactions only on active cards, for queries also on archived ones", () => {
    assert.equal(usableForPassword("active", "transaction"), true);
    assert.equal(usableForPassword("archived", "transaction"), false);
    assert.equal(usableForPassword("archived", "query"), true);
    for (const state of ["temporarily_lost", "formally_lost", "expired", "cancelled", "delivered"] as const) {
      assert.equal(usableForPassword(state, "query"), false, state);
    }
    // Proving who one is works while the card is temporarily lost (to revoke it or authorise the e-card).
    assert.equal(usableForPassword("temporarily_lost", "identity"), true);
    assert.equal(usableForPassword("formally_lost", "identity"), false);
    assert.equal(usableForPassword("temporarily_lost", "transaction"), false);
  });

  it("in daily mode counts only one day's wrong entries", () => {
    const lockout = { mode: "daily" as const, threshold: 3 };
    const a = afterWrongPin({ failures: 2, day: "2026-11-21" }, lockout, "2026-11-22");
    assert.deepEqual(a, { failures: 1, day: "2026-11-22", locked: false });
    const b = afterWrongPin({ failures: 2, day: "2026-11-22" }, lockout, "2026-11-22");
    assert.equal(b.locked, true);
    assert.equal(attemptsLeft({ failures: 2, day: "2026-11-21" }, lockout, "2026-11-22"), 3);
  });
});

describe("throttleWindow", () => {
  it("answers the ten-minute window containing the moment, whichever window was asked before", () => {
    const at = (iso: string) => throttleWindow(new Date(iso));
    assert.deepEqual(at("2026-11-22T02:07:30.000Z"), {
      start: "2026-11-22T02:00:00.000Z",
      end: "2026-11-22T02:10:00.000Z",
    });
    assert.deepEqual(at("2026-11-22T02:10:00.000Z"), {
      start: "2026-11-22T02:10:00.000Z",
      end: "2026-11-22T02:20:00.000Z",
    });
    assert.equal(
      at("2026-11-22T02:09:59.999Z").start,
      "2026-11-22T02:00:00.000Z",
      "back to the earlier window",
    );
  });
});
