import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  applicationStep,
  CONDITION_CODES,
  MATERIAL_KINDS,
  MAX_MATERIAL_BYTES,
  materialProblem,
  missingForFiling,
  nextIssuerId,
} from "./applications.rules.ts";

const pdf = Buffer.from("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n");
const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

describe("applying to issue cards (Measures Art. 6, 7)", () => {
  it("has the six materials of Art. 7 and the five conditions of Art. 6", () => {
    assert.equal(MATERIAL_KINDS.length, 6);
    assert.equal(CONDITION_CODES.length, 5);
  });

  it("checks each material: its type for its kind, not empty, not too large, its bytes what it says", () => {
    assert.equal(materialProblem("registration_form", "application/pdf", pdf), null);
    assert.equal(materialProblem("card_face_design", "image/png", png), null);
    assert.equal(
      materialProblem("card_face_design", "image/jpeg", Buffer.from([0xff, 0xd8, 0xff, 0xe0])),
      null,
    );
    assert.equal(
      materialProblem("card_file_structures", "application/json", Buffer.from('{"EF05":[]}')),
      null,
    );
    assert.equal(
      materialProblem("card_file_structures", "text/csv", Buffer.from("file,field\nEF05,01\n")),
      null,
    );
    assert.equal(materialProblem("registration_form", "image/png", png), "type_not_allowed");
    assert.equal(materialProblem("registration_form", "application/x-msdownload", pdf), "type_not_allowed");
    assert.equal(materialProblem("registration_form", "application/pdf", Buffer.alloc(0)), "empty");
    assert.equal(
      materialProblem(
        "registration_form",
        "application/pdf",
        Buffer.concat([pdf, Buffer.alloc(MAX_MATERIAL_BYTES)]),
      ),
      "too_large",
    );
    assert.equal(
      materialProblem("registration_form", "application/pdf", png),
      "content_mismatch",
      "a PNG called a PDF",
    );
    assert.equal(materialProblem("card_face_design", "image/png", pdf), "content_mismatch");
    assert.equal(
      materialProblem("card_file_structures", "application/json", Buffer.from("{oops")),
      "content_mismatch",
    );
    assert.equal(
      materialProblem("card_file_structures", "text/csv", Buffer.from("a\u0000,b")),
      "content_mismatch",
    );
  });

  it("lists what is missing before filing: materials and conditions not met with evidence", () => {
    const none = missingForFiling([], {});
    assert.deepEqual([none.materials.length, none.conditions.length], [6, 5]);
    const conditions = Object.fromEntries(CONDITION_CODES.map((c) => [c, { met: true, evidence: "见附件" }]));
    assert.deepEqual(missingForFiling(MATERIAL_KINDS, conditions), { materials: [], conditions: [] });
    assert.deepEqual(
      missingForFiling(MATERIAL_KINDS, { ...conditions, technical_force: { met: true, evidence: "  " } })
        .conditions,
      ["technical_force"],
    );
    assert.deepEqual(
      missingForFiling(MATERIAL_KINDS, { ...conditions, business_system: { met: false, evidence: "建设中" } })
        .conditions,
      ["business_system"],
    );
  });

  it("goes city → province → ministry; each may return it; only the ministry approves", () => {
    assert.deepEqual(applicationStep("draft", "file", "city"), { to: "at_province", by: "applicant" });
    assert.deepEqual(applicationStep("draft", "file", "province"), { to: "at_ministry", by: "applicant" });
    assert.deepEqual(applicationStep("returned", "file", "city"), { to: "at_province", by: "applicant" });
    assert.deepEqual(applicationStep("at_province", "forward", "city"), {
      to: "at_ministry",
      by: "province",
    });
    assert.deepEqual(applicationStep("at_province", "return", "city"), { to: "returned", by: "province" });
    assert.deepEqual(applicationStep("at_ministry", "return", "city"), { to: "returned", by: "ministry" });
    assert.deepEqual(applicationStep("at_ministry", "approve", "city"), { to: "approved", by: "ministry" });
    for (const [state, action] of [
      ["at_province", "approve"],
      ["draft", "forward"],
      ["approved", "return"],
      ["approved", "file"],
      ["at_ministry", "file"],
    ] as const)
      assert.equal(applicationStep(state, action, "city"), null, `${action} from ${state}`);
  });

  it("allocates the first free issuer identification number of the area", () => {
    assert.equal(nextIssuerId("330300", []), "3303000001");
    assert.equal(nextIssuerId("330300", ["3303000001", "3303000002"]), "3303000003");
  });
});
