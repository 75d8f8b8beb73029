import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  addWorkingDays,
  allowedActions,
  CARD_ACTIONS,
  CARD_STATES,
  canSettle,
  cardNumberCheckCharacter,
  duplicateAdvice,
  employerMayCollect,
  isChipSerial,
  isValidCardIdCode,
  isValidCardNumber,
  LIFECYCLE,
  lifecycleMermaid,
  newCardIdCode,
  newCardNumber,
  renewalWindowStart,
  transition,
  validityEnd,
} from "./cards.rules.ts";

describe("card lifecycle table", () => {
  it("leads from application to an active card", () => {
    let state = "applied" as (typeof CARD_STATES)[number];
    for (const action of ["send_to_production", "deliver", "issue", "activate"] as const) {
      const t = transition(state, action, null);
      assert.ok(t.ok, action);
      state = t.to;
    }
    assert.equal(state, "active");
  });

  it("refuses with the current state and the allowed actions", () => {
    assert.deepEqual(transition("applied", "activate", null), {
      ok: false,
      state: "applied",
      allowed: ["send_to_production", "cancel"],
    });
    assert.deepEqual(allowedActions("cancelled"), []);
  });

  it("returns from a temporary loss to the state before it", () => {
    assert.deepEqual(transition("temporarily_lost", "revoke_temporary_loss", "archived"), {
      ok: true,
      to: "archived",
    });
    assert.deepEqual(transition("temporarily_lost", "revoke_temporary_loss", "locked"), {
      ok: true,
      to: "locked",
    });
  });

  it("lets only an active card settle", () => {
    assert.deepEqual(
      CARD_STATES.filter((s) => canSettle(s)),
      ["active"],
    );
  });

  it("every action starts somewhere and cancel from every state but cancelled", () => {
    for (const a of CARD_ACTIONS) assert.ok(LIFECYCLE[a].from.length > 0, a);
    assert.equal(LIFECYCLE.cancel.from.length, CARD_STATES.length - 1);
  });

  it("renders every transition into the Mermaid diagram", () => {
    const m = lifecycleMermaid();
    assert.match(m, /^stateDiagram-v2/);
    assert.match(m, /delivered --> archived: issue/);
    assert.match(m, /temporarily_lost --> active: revoke_temporary_loss/);
  });
});

describe("duplicate cards", () => {
  it("advises cancelling the bank account of an unavailable card and a normal extra card with its account", () => {
    assert.match(
      duplicateAdvice("temporarily_lost", "activated"),
      /^unavailable card: cancel its bank account/,
    );
    assert.equal(duplicateAdvice("expired", "not_activated"), "unavailable card: cancel it");
    assert.match(duplicateAdvice("archived", "activated"), /^normal card/);
  });
});

describe("card numbers and identification codes", () => {
  it("computes ISO 7064 MOD 37,36 check characters", () => {
    // Independent vector: ISO/IEC 7064 MOD 37,36 of "A12425GABC1234002" is "M".
    assert.equal(cardNumberCheckCharacter("A12425GABC1234002"), "M");
    const n = newCardNumber();
    assert.ok(isValidCardNumber(n), n);
  });

  it("catches a changed character and a swap of neighbours", () => {
    const n = newCardNumber(() => 7);
    for (let i = 0; i < 9; i++) {
      const changed = n.slice(0, i) + (n[i] === "0" ? "1" : "0") + n.slice(i + 1);
      assert.equal(isValidCardNumber(changed), false, changed);
    }
    const body = "AB12CD34";
    const good = body + cardNumberCheckCharacter(body);
    assert.equal(isValidCardNumber(`BA12CD34${good[8]}`), false);
    assert.equal(isValidCardNumber("ab12cd34x"), false);
  });

  it("builds identification codes from the area, D156000005 and 16 hex characters", () => {
    const code = newCardIdCode("330100", () => Buffer.from("0123456789abcdef", "hex"));
    assert.equal(code, "330100D1560000050123456789ABCDEF");
    assert.equal(code.length, 32);
    assert.ok(isValidCardIdCode(code));
  });
});

describe("dates", () => {
  it("ends validity the day before the anniversary and opens renewal 60 days before", () => {
    assert.equal(validityEnd("2026-11-22", 10), "2036-11-21");
    assert.equal(validityEnd("2024-02-29", 10), "2034-02-28");
    assert.equal(renewalWindowStart("2036-11-21", 60), "2036-09-22");
  });

  it("counts working days past weekends, holidays and make-up working days", () => {
    const none = { holidays: new Set<string>(), workdays: new Set<string>() };
    // Friday 2026-11-20 + 5 working days = Friday 2026-11-27.
    assert.equal(addWorkingDays("2026-11-20", 5, none), "2026-11-27");
    const cal = { holidays: new Set(["2026-11-23", "2026-11-24"]), workdays: new Set(["2026-11-22"]) };
    // Sunday 22 is a working day (1), Monday 23 and Tuesday 24 are holidays, then 25, 26, 27 and Monday 30.
    assert.equal(addWorkingDays("2026-11-20", 5, cal), "2026-11-30");
  });
});

describe("collection by an employer", () => {
  it("is for the employer that applied for the card or one that employs the holder, no other", () => {
    const card = { employer_code: "91330106MA2D000011" };
    assert.equal(employerMayCollect(card, "91330106MA2D000011", false), true);
    assert.equal(employerMayCollect(card, "91330106MA2D000029", true), true);
    assert.equal(employerMayCollect(card, "91330106MA2D000029", false), false);
    assert.equal(employerMayCollect({ employer_code: null }, "91330106MA2D000029", false), false);
  });
});

describe("chip serials", () => {
  it("are 16 upper-case hex characters", () => {
    assert.equal(isChipSerial("0123456789ABCDEF"), true);
    for (const bad of ["", "0123456789abcdef", "0123456789ABCDE", "0123456789ABCDEF0", "0123456789ABCDEG"])
      assert.equal(isChipSerial(bad), false, bad);
  });
});
