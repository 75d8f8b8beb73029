import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { previousMonth } from "../../shared/clock.ts";
import { arrearsOf, type CheckFacts, onlineCheck, registrationOverdue } from "./enrolment.rules.ts";

describe("arrears", () => {
  it("counts months across a year's end", () => {
    assert.equal(previousMonth("2027-01"), "2026-12");
    assert.equal(previousMonth("2026-11"), "2026-10");
  });

  it("suspends the medical function only after more unpaid months than the grace", () => {
    const paid = new Set(["2026-05", "2026-06"]);
    assert.deepEqual(arrearsOf("2026-05", "2026-09", paid, 3), {
      unpaid: ["2026-07", "2026-08", "2026-09"],
      suspends: false,
    });
    assert.equal(arrearsOf("2026-05", "2026-10", paid, 3).suspends, true);
    assert.equal(arrearsOf("2026-12", "2026-10", paid, 0).suspends, false, "not yet due");
  });
});

describe("registration of a hire", () => {
  it("is overdue when registered after 30 days, or not registered once 30 days have passed", () => {
    assert.equal(registrationOverdue("2026-10-01", "2026-10-31", "2026-11-22"), null);
    assert.equal(registrationOverdue("2026-10-01", "2026-11-01", "2026-11-22"), "registered_late");
    assert.equal(registrationOverdue("2026-10-23", null, "2026-11-22"), null, "30 days: still in time");
    assert.equal(registrationOverdue("2026-10-22", null, "2026-11-22"), "not_registered");
  });
});

describe("the online check of a temporary medical certificate", () => {
  // The replacement card is still being made (applied): the certificate stands for it.
  const facts: CheckFacts = {
    card: { cardIdCode: "X", state: "applied", ssFunction: "not_activated", validUntil: null },
    dataMatches: true,
    enrolments: [{ scheme: "employee_medical", areaCode: "330106", status: "active", personalNumber: "P1" }],
    unmergedNumbers: ["P1"],
    survivorOf: (n) => n,
    arrearsActive: false,
    today: "2026-12-06",
  };

  it("insures the holder while the certificate is valid, although the card is not issued yet", () => {
    assert.equal(onlineCheck(facts).ok, false, "the card itself is not enabled");
    const outcome = onlineCheck({ ...facts, temporaryCertificate: { found: true, valid: true } });
    assert.deepEqual(outcome.ok && outcome.medicalInsuranceNumber, "P1");
  });

  it("says why a certificate is refused: not in the register, no longer valid, the insurance flagged", () => {
    const no = (f: CheckFacts) => {
      const o = onlineCheck(f);
      return o.ok ? "INSURED" : o.diagnostic;
    };
    assert.equal(
      no({ ...facts, card: undefined, temporaryCertificate: { found: false, valid: false } }),
      "TEMPORARY_CERTIFICATE_NOT_FOUND",
    );
    assert.equal(
      no({ ...facts, temporaryCertificate: { found: true, valid: false } }),
      "TEMPORARY_CERTIFICATE_INVALID",
    );
    assert.equal(
      no({ ...facts, arrearsActive: true, temporaryCertificate: { found: true, valid: true } }),
      "MEDICAL_FUNCTION_SUSPENDED",
    );
  });
});
