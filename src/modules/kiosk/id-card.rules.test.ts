import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { makeIdNumber } from "../persons/id-number.rules.ts";
import { shippedRegions } from "../regions/regions.ts";
import { type IdCardFacts, idCardRecord, parseIdCardRecord } from "./id-card.rules.ts";

describe("the resident ID card's record from the reader", () => {
  const regions = shippedRegions();
  const id = makeIdNumber("330106", "1985-04-12", 31);
  const facts: IdCardFacts = {
    name: "欧阳晓明",
    sex: Number(id[16]) % 2 === 1 ? "1" : "2",
    ethnicity: "01",
    birthDate: "1985-04-12",
    address: "浙江省杭州市西湖区文三路 100 号",
    idNumber: id,
    authority: "杭州市公安局西湖分局",
    validFrom: "2020-01-01",
    validUntil: "2040-01-01",
  };

  it("is 256 bytes of UCS-2LE in fixed fields, read back as written", () => {
    const record = idCardRecord(facts);
    assert.equal(record.length, 256);
    assert.equal(record.subarray(0, 2).toString("hex"), "276b", "欧 (U+6B27) in UCS-2 little-endian");
    assert.deepEqual(parseIdCardRecord(record, "2026-12-06", regions), { ok: true, facts });
    const longTerm = parseIdCardRecord(
      idCardRecord({ ...facts, validUntil: "long_term" }),
      "2099-01-01",
      regions,
    );
    assert.ok(longTerm.ok && longTerm.facts.validUntil === "long_term");
  });

  it("refuses a short record, a bad ID number, a birth or sex that differ from it, an expired card", () => {
    const problem = (record: Uint8Array, today = "2026-12-06") => {
      const r = parseIdCardRecord(record, today, regions);
      return r.ok ? "ok" : r.problem;
    };
    assert.equal(problem(idCardRecord(facts).subarray(0, 200)), "length");
    assert.equal(
      problem(idCardRecord({ ...facts, idNumber: `${id.slice(0, 17)}${id[17] === "1" ? "2" : "1"}` })),
      "id_number",
    );
    assert.equal(problem(idCardRecord({ ...facts, birthDate: "1985-04-13" })), "birth_differs");
    assert.equal(problem(idCardRecord({ ...facts, sex: facts.sex === "1" ? "2" : "1" })), "sex_differs");
    assert.equal(problem(idCardRecord(facts), "2040-01-02"), "expired");
    assert.equal(
      problem(idCardRecord({ ...facts, validFrom: "20200101" })),
      "ok",
      "dashes or not, the same day",
    );
  });
});
