import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  actorWith,
  callAs,
  cardInState,
  type Method,
  newIdNumber,
  seedAreas,
  staffToken,
  TEST_PASSWORD,
  useTestApp,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import type { CardState } from "../../modules/cards/cards.rules.ts";
import { initialPin } from "../../modules/credentials/pin.rules.ts";
import {
  coordinationArea,
  mergeConflicts,
  onlineCheck,
  registrationLate,
  survivorResolver,
} from "../../modules/enrolment/enrolment.rules.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { creditCodeCheck, creditCodeProblem } from "../../shared/credit-code.ts";

let seq = 0;
/** A valid unified social credit code registered in Hangzhou's Xihu district (region 330106). */
function creditCode(): string {
  seq += 1;
  const first17 = `91330106MA2B0${String(seq).padStart(4, "0")}`;
  return first17 + creditCodeCheck(first17);
}

describe("enrolment rules", () => {
  it("checks unified social credit codes (GB 32100) against the published example", () => {
    const regionExists = (r: string) => r === "350100" || r === "330106";
    assert.equal(creditCodeProblem("91350100M000100Y43", regionExists), undefined);
    assert.equal(creditCodeProblem("91350100M000100Y44", regionExists), "check");
    assert.equal(creditCodeProblem("91350100M000100Y4", regionExists), "length");
    assert.equal(
      creditCodeProblem("91350100M0001O0Y43", regionExists),
      "character",
      "O is not in the alphabet",
    );
    const unknownRegion = `91999999MA2B00001`;
    assert.equal(creditCodeProblem(unknownRegion + creditCodeCheck(unknownRegion), regionExists), "region");
  });

  it("finds the families a merge would leave insured twice, once the chosen enrolments are suspended", () => {
    const e = [
      { id: "r", scheme: "resident_medical", status: "active" },
      { id: "w", scheme: "employee_medical", status: "active" },
      { id: "p", scheme: "employee_pension", status: "active" },
      { id: "q", scheme: "resident_pension", status: "terminated" },
    ] as const;
    assert.deepEqual(mergeConflicts(e), [{ family: "medical", enrolmentIds: ["r", "w"] }]);
    assert.deepEqual(mergeConflicts(e, ["r"]), []);
  });

  it("resolves a merged personal number to its survivor through a chain, and stops on a cycle", () => {
    const survivorOf = survivorResolver([
      { number: "A", merged_into: "B" },
      { number: "B", merged_into: "C" },
      { number: "C", merged_into: null },
      { number: "X", merged_into: "Y" },
      { number: "Y", merged_into: "X" },
    ]);
    assert.equal(survivorOf("A"), "C");
    assert.equal(survivorOf("B"), "C");
    assert.equal(survivorOf("C"), "C");
    assert.equal(survivorOf("UNKNOWN"), "UNKNOWN");
    assert.ok(["X", "Y"].includes(survivorOf("X")), "a cycle ends instead of looping");
  });

  it("pools by city, municipalities by province; the 30-day deadline", () => {
    assert.equal(coordinationArea("330106"), "330100");
    assert.equal(coordinationArea("110105"), "110000");
    assert.equal(registrationLate("2026-10-01", "2026-10-31"), false);
    assert.equal(registrationLate("2026-10-01", "2026-11-01"), true);
  });

  it("diagnoses in the order a reader meets the problems", () => {
    const base = {
      card: {
        cardIdCode: "x",
        state: "active" as CardState,
        ssFunction: "activated" as "activated" | "not_activated",
        validUntil: "2036-01-01",
      },
      dataMatches: true,
      enrolments: [
        {
          scheme: "employee_medical" as const,
          areaCode: "330106",
          status: "active" as const,
          personalNumber: "1",
        },
      ],
      unmergedNumbers: ["1"],
      survivorOf: (n: string) => n,
      arrearsActive: false,
      today: "2026-11-22",
    };
    assert.equal(onlineCheck(base).ok, true);
    const d = (f: Partial<typeof base>) => {
      const r = onlineCheck({ ...base, ...f });
      return r.ok ? "INSURED" : r.diagnostic;
    };
    assert.equal(d({ card: undefined }), "CARD_NUMBER_NOT_FOUND");
    assert.equal(d({ dataMatches: false, arrearsActive: true }), "CARD_DATA_MISMATCH");
    assert.equal(
      d({ card: { ...base.card, state: "archived", ssFunction: "not_activated" } }),
      "CARD_NOT_ENABLED",
    );
    assert.equal(d({ card: { ...base.card, validUntil: "2026-11-21" } }), "CARD_EXPIRED");
    assert.equal(d({ unmergedNumbers: ["1", "2"] }), "MULTIPLE_PERSONAL_NUMBERS");
    assert.equal(d({ enrolments: [] }), "MEDICAL_NUMBER_NOT_FOUND");
    assert.equal(d({ arrearsActive: true }), "MEDICAL_FUNCTION_SUSPENDED");
  });
});

forEachDialect("enrolment, employers and the online check over HTTP", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as { clerk: string; pharmacy: string; operator: string; njClerk: string };
  let employer: { id: string; creditCode: string };
  let otherEmployer: { id: string };

  const call = (token: string, method: Method, url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);
  const daysAgo = (n: number) =>
    new Date(ctx.clock.now().getTime() + 8 * 3600_000 - n * 86_400_000).toISOString().slice(0, 10);

  /** A person with an active card in Hangzhou. */
  const holder = async (name = "李娜") => {
    const idNumber = newIdNumber();
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name,
      ethnicity: "01",
      areaCode: "330100",
      address: "杭州市西湖区文三路 1 号",
    });
    const { cardNumber } = await cardInState(ctx.deps, "active", { idNumber });
    const card = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, cardNumber);
    return { idNumber, name, cardNumber, cardIdCode: card.cardIdCode };
  };
  const enrol = (idNumber: string, scheme: string, areaCode: string, extra: object = {}) =>
    call(tokens.clerk, "POST", "/enrolments", {
      idNumber,
      scheme,
      areaCode,
      startDate: "2026-01-01",
      ...extra,
    });
  const check = async (
    token: string,
    h: { cardNumber: string; cardIdCode: string; idNumber: string; name: string },
  ) => (await call(token, "POST", "/online-checks", h)).body;

  before(async () => {
    await seedAreas(ctx.deps);
    tokens.clerk = await staffToken(ctx.deps, "hz.clerk", "outlet_clerk", "330100");
    tokens.pharmacy = await staffToken(ctx.deps, "hz.pharmacy", "pharmacy_operator", "330100");
    tokens.njClerk = await staffToken(ctx.deps, "nj.clerk", "outlet_clerk", "320100");
    const made = await call(tokens.clerk, "POST", "/employers", {
      creditCode: creditCode(),
      name: "杭州云栖科技有限公司",
      areaCode: "330106",
      contactName: "王经理",
      contactPhone: "0571-88880000",
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    employer = made.body;
    otherEmployer = (
      await call(tokens.clerk, "POST", "/employers", {
        creditCode: creditCode(),
        name: "西湖餐饮",
        areaCode: "330106",
        contactName: "赵",
        contactPhone: "0571-1",
      })
    ).body;
    await ctx.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "yunqi.hr",
      displayName: "云栖人事",
      password: TEST_PASSWORD,
      grants: [{ role: "employer_operator", areaCode: "330100", employerId: employer.id }],
    });
    tokens.operator = (await ctx.deps.staff.login({ username: "yunqi.hr", password: TEST_PASSWORD })).token;
  });

  it("registers employers by a valid credit code only, once", async () => {
    const bad = await call(tokens.clerk, "POST", "/employers", {
      creditCode: `${employer.creditCode.slice(0, 17)}${employer.creditCode[17] === "0" ? "1" : "0"}`,
      name: "x",
      areaCode: "330106",
      contactName: "x",
      contactPhone: "12345",
    });
    assert.deepEqual(
      [bad.status, bad.body.code, bad.body.details.reason],
      [400, "INVALID_CREDIT_CODE", "check"],
    );
    const again = await call(tokens.clerk, "POST", "/employers", {
      creditCode: employer.creditCode,
      name: "x",
      areaCode: "330106",
      contactName: "x",
      contactPhone: "12345",
    });
    assert.deepEqual([again.status, again.body.code], [409, "EMPLOYER_EXISTS"]);
    const nowhere = await call(tokens.clerk, "POST", "/employers", {
      creditCode: creditCode(),
      name: "x",
      areaCode: "330199",
      contactName: "x",
      contactPhone: "12345",
    });
    assert.deepEqual([nowhere.status, nowhere.body.code], [404, "AREA_NOT_FOUND"], "330199 is no region");
  });

  it("lets an employer's operator register its new employees within 30 days, flags a late one, and nothing of another employer", async () => {
    const onTime = await call(tokens.operator, "POST", `/employers/${employer.id}/employees`, {
      idNumber: newIdNumber(),
      name: "陈晨",
      ethnicity: "01",
      hiredOn: daysAgo(10),
    });
    assert.equal(onTime.status, 201, JSON.stringify(onTime.body));
    assert.equal(onTime.body.late, false);
    assert.deepEqual(
      onTime.body.enrolments.map((e: { scheme: string }) => e.scheme),
      ["employee_medical", "employee_pension", "unemployment", "work_injury", "maternity"],
    );
    assert.equal(
      new Set(onTime.body.enrolments.map((e: { personalNumber: string }) => e.personalNumber)).size,
      1,
    );
    const late = await call(tokens.operator, "POST", `/employers/${employer.id}/employees`, {
      idNumber: newIdNumber(),
      name: "周洋",
      ethnicity: "01",
      hiredOn: daysAgo(45),
    });
    assert.deepEqual([late.body.late, late.body.daysAfterHiring], [true, 45]);
    const future = await call(tokens.operator, "POST", `/employers/${employer.id}/employees`, {
      idNumber: newIdNumber(),
      name: "未来",
      ethnicity: "01",
      hiredOn: "2030-01-01",
    });
    assert.deepEqual([future.status, future.body.details.errors[0].field], [400, "hiredOn"]);
    assert.equal(future.body.details.errors[0].text, "不能晚于今天（2026-11-22）", "worded for the clerk");
    const foreign = await call(tokens.operator, "POST", `/employers/${otherEmployer.id}/employees`, {
      idNumber: newIdNumber(),
      hiredOn: daysAgo(1),
    });
    assert.deepEqual([foreign.status, foreign.body.code], [404, "EMPLOYER_NOT_FOUND"]);
    assert.equal(
      (await call(tokens.operator, "GET", `/employers/${employer.id}`)).body.contactName,
      "王经理",
    );
    assert.equal((await call(tokens.operator, "GET", `/employers/${otherEmployer.id}`)).status, 404);

    const waiting = newIdNumber();
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: waiting,
      name: "孙悦",
      ethnicity: "01",
      areaCode: "330100",
    });
    const hire = await call(tokens.operator, "POST", `/employers/${employer.id}/hires`, {
      idNumber: waiting,
      hiredOn: daysAgo(40),
    });
    assert.equal(hire.status, 201);
    const report = (await call(tokens.clerk, "GET", "/areas/330100/overdue-registrations")).body;
    const mine = report.filter((r: { employerId: string }) => r.employerId === employer.id);
    assert.deepEqual(
      mine.map((r: { kind: string; daysAfterHiring: number }) => [r.kind, r.daysAfterHiring]).sort(),
      [
        ["not_registered", 40],
        ["registered_late", 45],
      ],
    );
    assert.equal((await call(tokens.operator, "GET", "/areas/330100/overdue-registrations")).status, 403);
    // The employer sees its own employees and which are overdue, never another employer's.
    const own = await call(tokens.operator, "GET", `/employers/${employer.id}/employees`);
    assert.equal(own.status, 200, JSON.stringify(own.body));
    const byName = new Map(
      own.body.map((e: { nameMasked: string; overdue: string | null; registerBy: string }) => [
        e.nameMasked,
        [e.overdue, e.registerBy],
      ]),
    );
    assert.deepEqual(byName.get("周*"), ["registered_late", daysAgo(15)]);
    assert.deepEqual(byName.get("孙*"), ["not_registered", daysAgo(10)]);
    assert.ok(
      own.body.every((e: { idNumberMasked: string }) => /\*{6,}/.test(e.idNumberMasked)),
      "masked",
    );
    assert.equal(
      (await call(tokens.operator, "GET", `/employers/${otherEmployer.id}/employees`)).status,
      404,
    );
  });

  it("imports a CSV of employees all or nothing, naming each wrong field", async () => {
    const good = [newIdNumber(), newIdNumber()];
    const csv = (rows: string[]) => ["id_number,name,ethnicity,hired_on", ...rows].join("\n");
    const bad = await call(tokens.operator, "POST", `/employers/${employer.id}/employees/batch`, {
      csv: csv([
        `${good[0]},吴一,01,${daysAgo(3)}`,
        `12345,吴二,01,${daysAgo(3)}`,
        `${good[1]},吴三,99,2031-01-01`,
      ]),
    });
    assert.equal(bad.status, 200);
    assert.equal(bad.body.imported, 0);
    assert.deepEqual(
      bad.body.rows.map((r: { status: string; errors: { field: string }[] }) => [
        r.status,
        r.errors.map((e) => e.field),
      ]),
      [
        ["not_imported", []],
        ["rejected", ["idNumber"]],
        ["rejected", ["hiredOn", "ethnicity"]],
      ],
    );
    assert.equal(
      (await call(tokens.clerk, "GET", `/enrolments?idNumber=${good[0]}`)).status,
      404,
      "nothing written",
    );
    const ok = await call(tokens.operator, "POST", `/employers/${employer.id}/employees/batch`, {
      csv: csv([`${good[0]},吴一,01,${daysAgo(3)}`, `${good[1]},吴三,01,${daysAgo(31)}`]),
    });
    assert.deepEqual(
      [ok.body.imported, ok.body.rows.map((r: { late: boolean }) => r.late)],
      [2, [false, true]],
    );
    assert.equal(
      (await call(tokens.clerk, "GET", `/enrolments?idNumber=${good[1]}`)).body.enrolments.length,
      5,
    );
  });

  it("moving counties: a second active enrolment in the area is diagnosed, and suspending the other one as part of the move clears it", async () => {
    const h = await holder();
    const xihu = await enrol(h.idNumber, "employee_medical", "330106");
    assert.equal(xihu.status, 201);
    assert.equal((await check(tokens.pharmacy, h)).result, "INSURED");
    const yuhang = await enrol(h.idNumber, "employee_medical", "330110");
    assert.deepEqual(yuhang.body.duplicatesInArea, [xihu.body.enrolment.id]);
    const twice = await check(tokens.pharmacy, h);
    assert.equal(twice.result, "MULTIPLE_ENROLMENT_IN_AREA");
    assert.match(twice.diagnostic.zh.remedy, /暂停/);
    assert.match(twice.diagnostic.en.remedy, /Suspend/);

    const g = await holder();
    const first = await enrol(g.idNumber, "employee_medical", "330106");
    const moved = await enrol(g.idNumber, "employee_medical", "330110", {
      suspendOther: { reason: "工作调动至余杭区" },
    });
    assert.deepEqual(moved.body.duplicatesInArea, []);
    assert.equal((await check(tokens.pharmacy, g)).result, "INSURED");
    const history = (await call(tokens.clerk, "GET", `/enrolments?idNumber=${g.idNumber}`)).body.enrolments;
    const old = history.find((e: { id: string }) => e.id === first.body.enrolment.id);
    assert.equal(old.status, "suspended");
    assert.deepEqual(
      old.history.map((e: { action: string }) => e.action),
      ["enrol", "suspend_for_move"],
    );
    assert.equal(old.history[1].reason, "工作调动至余杭区");
    const same = await enrol(g.idNumber, "employee_medical", "330110");
    assert.deepEqual([same.status, same.body.code], [409, "ALREADY_ENROLLED"]);
  });

  it("gives a person one personal number however many enrolments arrive at once", async () => {
    const h = await holder("并发");
    const schemes = ["employee_medical", "employee_pension", "unemployment", "work_injury", "maternity"];
    const results = await Promise.all(schemes.map((scheme) => enrol(h.idNumber, scheme, "330106")));
    assert.deepEqual(
      results.map((r) => r.status),
      [201, 201, 201, 201, 201],
    );
    const numbers = new Set(results.map((r) => r.body.enrolment.personalNumber));
    assert.equal(numbers.size, 1, "one number, not one per concurrent request");
    const again = await Promise.all([1, 2, 3].map(() => enrol(h.idNumber, "resident_pension", "330106")));
    assert.deepEqual(
      again.map((r) => r.status).sort(),
      [201, 409, 409],
      "the same enrolment twice at once: one is made, the others are refused",
    );
  });

  it("a merge never leaves a person actively insured in resident and employee medical: it refuses, or suspends the one chosen", async () => {
    const h = await holder("钱多");
    const resident = await enrol(h.idNumber, "resident_medical", "330106");
    const employee = await enrol(h.idNumber, "employee_medical", "330102");
    assert.equal(employee.status, 201, JSON.stringify(employee.body));
    const [a, b] = [resident.body.enrolment.personalNumber, employee.body.enrolment.personalNumber];
    const preview = await call(tokens.clerk, "POST", "/personal-numbers/merge-preview", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      survivor: b,
    });
    assert.deepEqual(preview.body.conflicts, [
      {
        family: "medical",
        enrolmentIds: [resident.body.enrolment.id, employee.body.enrolment.id],
      },
    ]);
    const body = {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      survivor: b,
      reviewToken: preview.body.reviewToken,
      holderIdNumber: h.idNumber,
    };
    const refused = await call(tokens.clerk, "POST", "/personal-numbers/merge", body);
    assert.deepEqual(
      [refused.status, refused.body.code],
      [409, "MERGE_CONFLICT"],
      JSON.stringify(refused.body),
    );
    assert.match(refused.body.message, /重复参保（medical）/);
    const stranger = await call(tokens.clerk, "POST", "/personal-numbers/merge", {
      ...body,
      suspend: ["00000000-0000-4000-8000-000000000000"],
    });
    assert.deepEqual([stranger.status, stranger.body.code], [404, "ENROLMENT_NOT_FOUND"]);
    const numbers = (await call(tokens.clerk, "GET", `/personal-numbers/${a}`)).body;
    assert.equal(numbers.aliases.length, 0, "nothing was merged by the refusals");
    const merged = await call(tokens.clerk, "POST", "/personal-numbers/merge", {
      ...body,
      suspend: [resident.body.enrolment.id],
    });
    assert.equal(merged.status, 200, JSON.stringify(merged.body));
    assert.deepEqual(merged.body, { survivor: b, aliases: [a], suspended: [resident.body.enrolment.id] });
    const after = (await call(tokens.clerk, "GET", `/personal-numbers/${b}`)).body;
    const res = after.enrolments.find((e: { id: string }) => e.id === resident.body.enrolment.id);
    assert.equal(res.status, "suspended");
    assert.equal(res.history.at(-1).to, "suspended");
  });

  it("merges two personal numbers after review and the holder's ID; every history stays reachable from both numbers", async () => {
    const h = await holder("刘洋");
    const resident = await enrol(h.idNumber, "resident_medical", "330106");
    const residentId = resident.body.enrolment.id;
    await call(tokens.clerk, "POST", `/enrolments/${residentId}/status`, {
      to: "terminated",
      reason: "转为职工参保",
      version: 1,
    });
    const employee = await enrol(h.idNumber, "employee_medical", "330106");
    const [a, b] = [resident.body.enrolment.personalNumber, employee.body.enrolment.personalNumber];
    assert.notEqual(a, b, "resident and employee registers gave two numbers");
    assert.equal((await check(tokens.pharmacy, h)).result, "MULTIPLE_PERSONAL_NUMBERS");

    const preview = await call(tokens.clerk, "POST", "/personal-numbers/merge-preview", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      survivor: b,
    });
    assert.deepEqual([preview.body.survivor, preview.body.merged], [b, [a]]);
    const body = {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      survivor: b,
      reviewToken: preview.body.reviewToken,
    };
    const wrongHolder = await call(tokens.clerk, "POST", "/personal-numbers/merge", {
      ...body,
      holderIdNumber: newIdNumber(),
    });
    assert.equal(wrongHolder.body.code, "HOLDER_ID_MISMATCH");
    await call(tokens.clerk, "POST", `/enrolments/${employee.body.enrolment.id}/status`, {
      to: "suspended",
      reason: "核查",
      version: 1,
    });
    const stale = await call(tokens.clerk, "POST", "/personal-numbers/merge", {
      ...body,
      holderIdNumber: h.idNumber,
    });
    assert.deepEqual(
      [stale.status, stale.body.code],
      [409, "CONCURRENT_MODIFICATION"],
      "the state changed after the review",
    );
    await call(tokens.clerk, "POST", `/enrolments/${employee.body.enrolment.id}/status`, {
      to: "active",
      reason: "核查完毕",
      version: 2,
    });
    const review = await call(tokens.clerk, "POST", "/personal-numbers/merge-preview", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      survivor: b,
    });
    const merged = await call(tokens.clerk, "POST", "/personal-numbers/merge", {
      ...body,
      reviewToken: review.body.reviewToken,
      holderIdNumber: h.idNumber,
    });
    assert.deepEqual(merged.body, { survivor: b, aliases: [a], suspended: [] });

    const viaAlias = (await call(tokens.clerk, "GET", `/personal-numbers/${a}`)).body;
    const viaSurvivor = (await call(tokens.clerk, "GET", `/personal-numbers/${b}`)).body;
    assert.deepEqual(viaAlias.enrolments, viaSurvivor.enrolments);
    assert.deepEqual([viaAlias.survivingNumber, viaAlias.aliases], [b, [a]]);
    const resHist = viaAlias.enrolments.find((e: { id: string }) => e.id === residentId);
    assert.deepEqual(
      [resHist.personalNumber, resHist.survivingNumber, resHist.history.map((e: { to: string }) => e.to)],
      [a, b, ["active", "terminated"]],
    );
    const ok = await check(tokens.pharmacy, h);
    assert.deepEqual([ok.result, ok.medicalInsuranceNumber], ["INSURED", b]);
    const again = await call(tokens.clerk, "POST", "/personal-numbers/merge-preview", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
    });
    assert.equal(again.body.code, "NOTHING_TO_MERGE");
    const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, h.idNumber);
    const audit = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "personal_number.merge")
      .where("subject_id", "=", person.id)
      .execute();
    assert.deepEqual(
      audit.map((r) => JSON.parse(r.after ?? "{}")),
      [{ survivor: b, aliases: [a] }],
      "the merge is audited once, with what it did",
    );
  });

  it("answers each card diagnostic from real data, shows a pharmacy no address, and logs every check for the holder to see", async () => {
    const unknown = await check(tokens.pharmacy, {
      cardNumber: "A0000000X",
      cardIdCode: "x",
      idNumber: newIdNumber(),
      name: "x",
    });
    assert.equal(unknown.result, "CARD_NUMBER_NOT_FOUND");

    const h = await holder("黄磊");
    assert.equal((await check(tokens.pharmacy, h)).result, "MEDICAL_NUMBER_NOT_FOUND");
    assert.equal((await check(tokens.pharmacy, { ...h, name: "黄雷" })).result, "CARD_DATA_MISMATCH");
    assert.equal(
      (await check(tokens.pharmacy, { ...h, idNumber: newIdNumber() })).result,
      "CARD_DATA_MISMATCH",
    );
    await enrol(h.idNumber, "employee_medical", "330106");
    const insured = await check(tokens.pharmacy, h);
    assert.equal(insured.result, "INSURED");
    assert.equal(insured.holder, undefined, "a pharmacy sees status and diagnostics only");
    assert.equal(JSON.stringify(insured).includes("文三路"), false);
    const counter = await check(tokens.clerk, h);
    assert.equal(counter.holder.address, "杭州市西湖区文三路 1 号");

    const arrears = await call(tokens.clerk, "POST", "/arrears", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      fromDate: daysAgo(0),
      reason: "单位欠缴 3 个月",
    });
    assert.equal(arrears.status, 201);
    const suspended = await check(tokens.pharmacy, h);
    assert.equal(suspended.result, "MEDICAL_FUNCTION_SUSPENDED");
    assert.match(suspended.diagnostic.zh.cause, /欠缴/);
    await call(tokens.clerk, "POST", `/arrears/${arrears.body.id}/end`, { toDate: daysAgo(0) });
    assert.equal((await check(tokens.pharmacy, h)).result, "INSURED", "paid: the function is back at once");
    const future = await call(tokens.clerk, "POST", "/arrears", {
      idNumber: h.idNumber,
      coordinationArea: "330100",
      fromDate: "2031-01-01",
      reason: "x",
    });
    assert.equal(future.status, 400);

    ctx.clock.advance(11 * 365 * 86_400_000);
    try {
      // Eleven years on the sessions have expired too: ask the service as a pharmacy directly.
      const later = await ctx.deps.enrolment.check(actorWith("pharmacy_operator", "330100"), h);
      assert.equal(later.result, "CARD_EXPIRED");
    } finally {
      ctx.clock.advance(-11 * 365 * 86_400_000);
    }
    await ctx.deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, h.cardNumber);
    assert.equal((await check(tokens.pharmacy, h)).result, "CARD_TEMPORARILY_LOST");

    const archived = await cardInState(ctx.deps, "archived");
    const archivedCard = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, archived.cardNumber);
    assert.equal(
      (
        await check(tokens.pharmacy, {
          cardNumber: archived.cardNumber,
          cardIdCode: archivedCard.cardIdCode,
          idNumber: archived.idNumber,
          name: "卡主",
        })
      ).result,
      "CARD_NOT_ENABLED",
    );
    const cancelled = await cardInState(ctx.deps, "active");
    await ctx.deps.cards.cancel(SYSTEM_ACTOR, cancelled.cardNumber, {
      reason: "holder_request",
      holderIdNumber: cancelled.idNumber,
    });
    const cancelledCard = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, cancelled.cardNumber);
    assert.equal(
      (
        await check(tokens.pharmacy, {
          cardNumber: cancelled.cardNumber,
          cardIdCode: cancelledCard.cardIdCode,
          idNumber: cancelled.idNumber,
          name: "卡主",
        })
      ).result,
      "CARD_INVALID",
    );

    const log = await call(tokens.clerk, "GET", `/cards/${h.cardNumber}/online-checks`);
    // The test clock stands still, so checks share their time: compare the results as a set.
    assert.deepEqual(log.body.map((c: { result: string }) => c.result).sort(), [
      "CARD_DATA_MISMATCH",
      "CARD_DATA_MISMATCH",
      "CARD_EXPIRED",
      "CARD_TEMPORARILY_LOST",
      "INSURED",
      "INSURED",
      "INSURED",
      "MEDICAL_FUNCTION_SUSPENDED",
      "MEDICAL_NUMBER_NOT_FOUND",
    ]);
    const lost = log.body.find((c: { result: string }) => c.result === "CARD_TEMPORARILY_LOST");
    assert.deepEqual(
      [lost.checkedBy, lost.role, lost.channel],
      ["hz.pharmacy", "pharmacy_operator", "counter"],
    );
    assert.equal((await call(tokens.njClerk, "GET", `/cards/${h.cardNumber}/online-checks`)).status, 403);

    const own = await cardInState(ctx.deps, "active");
    const ownCard = await ctx.deps.cards.getByNumber(SYSTEM_ACTOR, own.cardNumber);
    await check(tokens.pharmacy, {
      cardNumber: own.cardNumber,
      cardIdCode: ownCard.cardIdCode,
      idNumber: own.idNumber,
      name: "卡主",
    });
    const pin = initialPin(own.cardNumber, NATIONAL_DEFAULT_POLICY);
    const seen = await call(tokens.pharmacy, "POST", `/cards/${own.cardNumber}/online-checks/holder-view`, {
      pin,
    });
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.deepEqual(
      seen.body.map((c: { result: string }) => c.result),
      ["MEDICAL_NUMBER_NOT_FOUND"],
    );
    const wrong = await call(tokens.pharmacy, "POST", `/cards/${own.cardNumber}/online-checks/holder-view`, {
      pin: "000000",
    });
    assert.notEqual(wrong.status, 200);
  });

  it("records where a card was checked: the institution's name for staff, and only the place for the holder", async () => {
    const institution = await ctx.deps.medical.registerInstitution(SYSTEM_ACTOR, {
      code: `HZ-PLACE-${dialect}`,
      name: "西湖定点药房",
      kind: "pharmacy",
      areaCode: "330100",
      agreementFrom: "2026-01-01",
      agreementUntil: "2027-12-31",
    });
    const operator = await staffToken(ctx.deps, `hz.place.${dialect}`, "pharmacy_operator", "330100", {
      institutionId: institution.id,
    });
    const c = await cardInState(ctx.deps, "active");
    assert.equal((await call(operator, "POST", "/online-checks", { cardNumber: c.cardNumber })).status, 200);
    const staffView = await call(tokens.clerk, "GET", `/cards/${c.cardNumber}/online-checks`);
    assert.deepEqual(
      staffView.body.map((x: { place: string | null; checkedBy: string }) => [x.place, x.checkedBy]),
      [["西湖定点药房", `hz.place.${dialect}`]],
    );
    const holderView = await call(operator, "POST", `/cards/${c.cardNumber}/online-checks/holder-view`, {
      pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY),
    });
    assert.equal(holderView.status, 200, JSON.stringify(holderView.body));
    assert.deepEqual(
      holderView.body.map((x: { place: string | null; checkedBy: string }) => [x.place, x.checkedBy]),
      [["西湖定点药房", "西湖定点药房"]],
      "no staff login for the holder",
    );
  });
});
