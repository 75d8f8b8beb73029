import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { shippedRegions } from "../regions/regions.ts";
import { idCheckCharacter, makeIdNumber, parseIdNumber } from "./id-number.rules.ts";

const regions = shippedRegions();
const today = "2026-11-22";

describe("GB 11643 citizen ID numbers", () => {
  it("accepts the standard's example and derives birth date and sex", () => {
    // The example printed in GB 11643-1999.
    const r = parseIdNumber("11010519491231002X", today, regions);
    assert.deepEqual(r, {
      ok: true,
      facts: {
        idNumber: "11010519491231002X",
        regionCode: "110105",
        birthDate: "1949-12-31",
        sequence: "002",
        sex: "F",
      },
    });
  });

  it("computes the ISO 7064 MOD 11-2 check character", () => {
    assert.equal(idCheckCharacter("11010519491231002"), "X");
    assert.equal(idCheckCharacter("44052418800101001"), "4");
    assert.equal(idCheckCharacter("33010619900307123"), makeIdNumber("330106", "1990-03-07", 123)[17]);
  });

  it("normalises a lower-case x and odd sequence means male", () => {
    const id = makeIdNumber("330106", "1990-03-07", 123);
    const r = parseIdNumber(id.toLowerCase(), today, regions);
    assert.ok(r.ok);
    assert.equal(r.facts.sex, "M");
  });

  it("names the part that is wrong", () => {
    const good = makeIdNumber("330106", "1990-03-07", 124);
    const cases: [string, string][] = [
      [good.slice(0, 17), "length"],
      [`${good}1`, "length"],
      [`${good.slice(0, 10)}A${good.slice(11)}`, "format"],
      [makeIdNumber("999999", "1990-03-07", 124), "region"],
      [makeIdNumber("330106", "1990-02-30", 124), "date"],
      [makeIdNumber("330106", "2027-01-01", 124), "date"],
      [makeIdNumber("330106", "1899-12-31", 124), "date"],
      [good.slice(0, 17) + (good[17] === "0" ? "1" : "0"), "check"],
    ];
    for (const [value, problem] of cases) {
      assert.deepEqual(parseIdNumber(value, today, regions), { ok: false, problem }, value);
    }
  });

  it("accepts 29 February only in leap years", () => {
    assert.ok(parseIdNumber(makeIdNumber("330106", "2000-02-29", 1), today, regions).ok);
    assert.equal(parseIdNumber(makeIdNumber("330106", "1900-02-29", 1), today, regions).ok, false);
  });

  it("ships the GB/T 2260 provinces, cities and counties", () => {
    assert.ok(regions.size > 3000);
    assert.equal(regions.get("330000")?.name, "浙江省");
    assert.equal(regions.get("330100")?.level, "city");
    assert.equal(regions.fullName("330106"), "浙江省杭州市西湖区");
    assert.equal(regions.fullName("110105"), "北京市朝阳区");
  });
});
