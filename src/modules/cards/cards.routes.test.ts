import assert from "node:assert/strict";
import { randomBytes, randomInt } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  type Method,
  newIdNumber,
  okBody,
  seedAreas,
  staffToken,
  TEST_PASSWORD,
  useTestApp,
} from "../../../test/fixtures.ts";
import { NATIONAL_DEFAULT_POLICY } from "../../modules/areas/areas.rules.ts";
import { cardNumberCheckCharacter } from "../../modules/cards/cards.rules.ts";
import { verifySigned } from "../../modules/keys/signer.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { creditCodeCheck } from "../../shared/credit-code.ts";
import { parseCsv } from "../../shared/csv.ts";
import { worded } from "../../shared/row-reasons.ts";

const chipSerial = () => randomBytes(8).toString("hex").toUpperCase();

forEachDialect("physical card lifecycle over HTTP", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as Record<
    "clerk" | "admin" | "nbClerk" | "bank" | "otherBank" | "hospital" | "ministry",
    string
  >;

  const call = (token: string, method: Method, url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);
  const ok = async (token: string, method: Method, url: string, payload?: object) =>
    okBody(await call(token, method, url, payload), `${method} ${url}`);

  async function person(region = "330106", area = "330100") {
    const idNumber = newIdNumber(region);
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: "持卡人",
      ethnicity: "01",
      areaCode: area,
      photoRef: `photos/${idNumber}.jpg`,
    });
    return idNumber;
  }

  /** Produces the given card through a factory batch and a return file (other applied cards in the area are returned failed). */
  async function produce(cardNumber: string, area = "330100") {
    const batch = await ok(tokens.admin, "POST", "/cards/production-batches", { areaCode: area });
    // Sent and not yet returned, the batch is listed with its cards in production.
    const waiting = (await ok(tokens.admin, "GET", `/cards/production-batches?areaCode=${area}`)).find(
      (b: { batchId: string }) => b.batchId === batch.batchId,
    );
    assert.equal(waiting.status, "sent");
    assert.equal(waiting.cardsByState.in_production, batch.cardCount);
    const file = parseCsv(batch.file);
    assert.ok(!("error" in file));
    const lines = ["card_id_code,result,reason,chip_serial"];
    for (const row of file.rows)
      lines.push(
        `${row.values.card_id_code},${row.values.card_number === cardNumber ? `ok,,${chipSerial()}` : "failed,not this test,"}`,
      );
    const report = await ok(tokens.admin, "POST", `/cards/production-batches/${batch.batchId}/return`, {
      csv: lines.join("\n"),
    });
    assert.equal(report.rejected, 0);
    const returned = (await ok(tokens.admin, "GET", `/cards/production-batches?areaCode=${area}`)).find(
      (b: { batchId: string }) => b.batchId === batch.batchId,
    );
    assert.equal(returned.status, "returned");
    assert.equal(returned.cardsByState.delivered ?? 0, 1, "the card produced is delivered to the outlet");
    return batch;
  }

  async function activeCard(options: { bankCode?: string; activate?: boolean } = {}) {
    const idNumber = await person();
    const card = await ok(tokens.clerk, "POST", "/cards/applications", {
      idNumber,
      areaCode: "330100",
      bankCode: options.bankCode === undefined ? "ICBC" : options.bankCode || null,
    });
    await produce(card.cardNumber);
    const issued = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/issue`, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate: options.activate ?? true,
    });
    return { idNumber, card: issued };
  }

  before(async () => {
    const { deps } = ctx;
    await seedAreas(deps);
    const icbc = await deps.areas.createOutlet(SYSTEM_ACTOR, "330100", {
      name: "工商银行文三路支行",
      kind: "bank_branch",
      bankCode: "ICBC",
    });
    const abc = await deps.areas.createOutlet(SYSTEM_ACTOR, "330100", {
      name: "农业银行文二路支行",
      kind: "bank_branch",
      bankCode: "ABC",
    });
    tokens.clerk = await staffToken(deps, "hz.clerk", "outlet_clerk", "330100");
    tokens.admin = await staffToken(deps, "hz.admin", "city_admin", "330100");
    tokens.nbClerk = await staffToken(deps, "nb.clerk", "outlet_clerk", "330200");
    tokens.hospital = await staffToken(deps, "hz.hospital", "medical_operator", "330100");
    tokens.ministry = await staffToken(deps, "root", "ministry_admin", "000000");
    for (const [key, outlet] of [
      ["bank", icbc.id],
      ["otherBank", abc.id],
    ] as const) {
      await deps.staff.createAccount(SYSTEM_ACTOR, {
        username: key,
        displayName: key,
        password: TEST_PASSWORD,
        grants: [{ role: "bank_clerk", areaCode: "330100", outletId: outlet }],
      });
      tokens[key] = (await deps.staff.login({ username: key, password: TEST_PASSWORD })).token;
    }
  });

  it("publishes the lifecycle with its diagram", async () => {
    const lc = await ok(tokens.hospital, "GET", "/cards/lifecycle");
    assert.ok(lc.states.includes("archived"));
    assert.deepEqual(lc.settlesIn, ["active"]);
    assert.deepEqual(
      lc.actions.find((a: { action: string }) => a.action === "activate"),
      { action: "activate", from: ["archived"], to: "active" },
    );
    assert.match(lc.mermaid, /stateDiagram-v2/);
  });

  it("goes from application through production and issue to an archived, then active card, with its history", async () => {
    const idNumber = await person();
    const applied = await ok(tokens.clerk, "POST", "/cards/applications", {
      idNumber,
      areaCode: "330100",
      bankCode: "ICBC",
    });
    assert.equal(applied.state, "applied");
    assert.match(applied.cardNumber, /^[0-9A-Z]{9}$/);
    assert.match(applied.cardIdCode, /^330100D156000005[0-9A-F]{16}$/);
    assert.equal(applied.specVersion, "3.00");
    const batch = await ok(tokens.admin, "POST", "/cards/production-batches", { areaCode: "330100" });
    const file = parseCsv(batch.file);
    assert.ok(!("error" in file));
    const row = file.rows.find((r) => r.values.card_number === applied.cardNumber)!;
    assert.equal(row.values.id_number, idNumber);
    assert.equal(row.values.valid_until, "2036-11-21");
    assert.equal(row.values.issuer_id, "3301000001");
    assert.equal((await ok(tokens.clerk, "GET", `/cards/${applied.cardNumber}`)).state, "in_production");
    // The personalisation file: one record per card, every secret wrapped under the factory's transport key.
    const records = batch.personalisationFile
      .trim()
      .split("\n")
      .map((l: string) => JSON.parse(l));
    assert.equal(records.length, file.rows.length);
    const record = records.find((r: { cardNumber: string }) => r.cardNumber === applied.cardNumber);
    assert.equal(record.transportKey, "tk-factory-330100-SM4-v1");
    assert.deepEqual(Object.keys(record.keys), ["01", "02", "03", "04", "05", "06"]);
    assert.match(record.keys["01"].wrapped, /^[0-9A-F]{32}$/);
    assert.match(record.holderKey.privateKey.wrapped, /^[0-9A-F]{64}$/);
    assert.equal(record.certificate.cardIdCode, applied.cardIdCode);
    assert.equal(record.ef06[8], idNumber);
    const serial = chipSerial();
    const lines = [
      "card_id_code,result,reason,chip_serial",
      ...file.rows.map((r, i) => `${r.values.card_id_code},ok,,${i === 0 ? serial : chipSerial()}`),
      "330100D156000005FFFFFFFFFFFFFFFF,ok,,",
      "x,maybe,,",
    ];
    const report = await ok(tokens.admin, "POST", `/cards/production-batches/${batch.batchId}/return`, {
      csv: lines.join("\n"),
    });
    assert.equal(report.accepted, file.rows.length);
    assert.deepEqual(
      report.rows
        .filter((r: { status: string }) => r.status === "rejected")
        .map((r: { reason: string }) => r.reason),
      ["该卡不在本批次中", "结果只能是 ok 或 failed"],
    );
    // Each card is bound to its chip: a made card without a chip serial, or a serial already bound, is refused.
    const again = await person();
    const second = await ok(tokens.clerk, "POST", "/cards/applications", {
      idNumber: again,
      areaCode: "330100",
    });
    const next = await ok(tokens.admin, "POST", "/cards/production-batches", { areaCode: "330100" });
    const code = (parseCsv(next.file) as { rows: { values: Record<string, string> }[] }).rows.find(
      (r) => r.values.card_number === second.cardNumber,
    )!.values.card_id_code;
    const refused = await ok(tokens.admin, "POST", `/cards/production-batches/${next.batchId}/return`, {
      csv: `card_id_code,result,chip_serial\n${code},ok,\n${code},ok,${serial.toLowerCase()}\n`,
    });
    assert.deepEqual(
      refused.rows.map((r: { reasonCode: string }) => r.reasonCode),
      ["chip_serial_invalid", "chip_serial_used"],
    );
    const noSerialColumn = await call(
      tokens.admin,
      "POST",
      `/cards/production-batches/${next.batchId}/return`,
      {
        csv: `card_id_code,result\n${code},ok\n`,
      },
    );
    assert.deepEqual([noSerialColumn.status, noSerialColumn.body.code], [400, "CSV_INVALID"]);
    // One chip in two return files imported at once: one card gets it, the other row is refused.
    const twice = chipSerial();
    const batchOf = async () => {
      const a = await ok(tokens.clerk, "POST", "/cards/applications", {
        idNumber: await person(),
        areaCode: "330100",
      });
      const b = await ok(tokens.admin, "POST", "/cards/production-batches", { areaCode: "330100" });
      const row = (parseCsv(b.file) as { rows: { values: Record<string, string> }[] }).rows.find(
        (r) => r.values.card_number === a.cardNumber,
      )!;
      return {
        batchId: b.batchId,
        csv: `card_id_code,result,chip_serial\n${row.values.card_id_code},ok,${twice}\n`,
      };
    };
    const [first, other] = [await batchOf(), await batchOf()];
    const raced = await Promise.all(
      [first, other].map((b) =>
        call(tokens.admin, "POST", `/cards/production-batches/${b.batchId}/return`, { csv: b.csv }),
      ),
    );
    assert.deepEqual(
      raced.map((r) => r.status),
      [200, 200],
      JSON.stringify(raced.map((r) => r.body)),
    );
    assert.deepEqual(raced.map((r) => r.body.accepted).sort(), [0, 1]);
    assert.ok(raced.some((r) => r.body.rows[0].reasonCode === "chip_serial_used"));
    assert.equal((await ok(tokens.clerk, "GET", `/cards/${applied.cardNumber}`)).state, "delivered");

    const wrongHolder = await call(tokens.clerk, "POST", `/cards/${applied.cardNumber}/issue`, {
      collectedBy: "holder",
      holderIdNumber: await person(),
      activate: false,
    });
    assert.equal(wrongHolder.status, 403);
    assert.equal(wrongHolder.body.code, "HOLDER_ID_MISMATCH");
    const archived = await ok(tokens.clerk, "POST", `/cards/${applied.cardNumber}/issue`, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate: false,
    });
    assert.equal(archived.state, "archived");
    assert.equal(archived.socialSecurityFunction, "not_activated");
    assert.equal(archived.canSettle, false);
    const active = await ok(tokens.clerk, "POST", `/cards/${applied.cardNumber}/activate`, {
      holderIdNumber: idNumber,
    });
    assert.equal(active.state, "active");
    assert.equal(active.canSettle, true);
    const history = await ok(tokens.hospital, "GET", `/cards/${applied.cardNumber}/history`);
    assert.deepEqual(
      history.map((e: { action: string }) => e.action),
      ["apply", "send_to_production", "deliver", "issue", "activate"],
    );
    assert.deepEqual(
      history.map((e: { toState: string }) => e.toState),
      ["applied", "in_production", "delivered", "archived", "active"],
    );
    assert.equal(history[3].channel, "counter");
    assert.equal(history[3].actorRole, "outlet_clerk");
    const byId = await ok(tokens.hospital, "GET", `/cards?idNumber=${idNumber}`);
    assert.deepEqual(
      byId.map((c: { cardNumber: string }) => c.cardNumber),
      [applied.cardNumber],
    );
  });

  it("a child's application needs the guardian's name, ID and relation, recorded masked; an adult's needs none", async () => {
    // Under 16 on the test clock's day (2026-11-22): born 2010-11-23, sixteen tomorrow.
    const child = newIdNumber("330106", "2010-11-23");
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: child,
      name: "小明",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "photos/child.jpg",
    });
    const alone = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: child,
      areaCode: "330100",
    });
    assert.deepEqual([alone.status, alone.body.code], [422, "GUARDIAN_REQUIRED"]);
    assert.match(alone.body.message, /未满 16 周岁/);
    const self = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: child,
      areaCode: "330100",
      guardian: { idNumber: child, name: "小明", relation: "parent" },
    });
    assert.deepEqual([self.status, self.body.code], [400, "VALIDATION_FAILED"], "not the child themself");
    const wrongRelation = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: child,
      areaCode: "330100",
      guardian: { idNumber: newIdNumber("330106", "1980-01-01"), name: "王芳", relation: "neighbour" },
    });
    assert.equal(wrongRelation.status, 400);
    const guardianId = newIdNumber("330106", "1980-01-01");
    const applied = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: child,
      areaCode: "330100",
      guardian: { idNumber: guardianId, name: "王芳", relation: "parent" },
    });
    assert.equal(applied.status, 201, JSON.stringify(applied.body));
    const record = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "card.apply")
      .orderBy("seq", "desc")
      .executeTakeFirstOrThrow();
    assert.match(
      String(record.after),
      /"guardian":\{"idNumber":"330\*{11}[0-9X]{4}","name":"王\*","relation":"parent"\}/,
    );
    assert.ok(!String(record.after).includes(guardianId), "the guardian's ID is not kept in clear");
    // Sixteen today: applies in person; a guardian is refused.
    const sixteen = newIdNumber("330106", "2010-11-22");
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: sixteen,
      name: "小红",
      ethnicity: "01",
      areaCode: "330100",
      photoRef: "photos/sixteen.jpg",
    });
    const withGuardian = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: sixteen,
      areaCode: "330100",
      guardian: { idNumber: guardianId, name: "王芳", relation: "parent" },
    });
    assert.equal(withGuardian.status, 400);
    assert.equal(
      (await call(tokens.clerk, "POST", "/cards/applications", { idNumber: sixteen, areaCode: "330100" }))
        .status,
      201,
    );
  });

  it("shows an area's calendar for a year with what it inherits, and removes only its own entries", async () => {
    await ctx.deps.cards.setCalendarDay(SYSTEM_ACTOR, "330000", {
      date: "2031-01-01",
      kind: "holiday",
      name: "元旦",
    });
    // The same day set six times at once (one of them a holiday first): one entry, the last word kept.
    const sets = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        call(tokens.admin, "PUT", "/areas/330100/calendar/2031-02-08", {
          kind: i === 0 ? "holiday" : "workday",
          name: i === 0 ? "误设" : "春节调休",
        }),
      ),
    );
    assert.deepEqual(
      sets.map((r) => r.status),
      [200, 200, 200, 200, 200, 200],
      JSON.stringify(sets.map((r) => r.body)),
    );
    await call(tokens.admin, "PUT", "/areas/330100/calendar/2031-02-08", {
      kind: "workday",
      name: "春节调休",
    });
    const year = await call(tokens.admin, "GET", "/areas/330100/calendar?year=2031");
    assert.deepEqual(
      year.body.map((d: { date: string; kind: string; areaCode: string; own: boolean }) => [
        d.date,
        d.kind,
        d.areaCode,
        d.own,
      ]),
      [
        ["2031-01-01", "holiday", "330000", false],
        ["2031-02-08", "workday", "330100", true],
      ],
    );
    const inherited = await call(tokens.admin, "DELETE", "/areas/330100/calendar/2031-01-01");
    assert.deepEqual([inherited.status, inherited.body.code], [404, "CALENDAR_DAY_NOT_FOUND"]);
    assert.equal((await call(tokens.admin, "DELETE", "/areas/330100/calendar/2031-02-08")).status, 200);
    assert.equal((await call(tokens.admin, "GET", "/areas/330100/calendar?year=2031")).body.length, 1);
    assert.equal((await call(tokens.admin, "GET", "/areas/330100/calendar?year=31")).status, 400);
    assert.equal((await call(tokens.admin, "GET", "/areas/320100/calendar?year=2031")).status, 403);
  });

  it("refuses a second card in the province, and lets an employer collect with a letter", async () => {
    const { idNumber, card } = await activeCard();
    const again = await call(tokens.clerk, "POST", "/cards/applications", { idNumber, areaCode: "330100" });
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "CARD_ALREADY_HELD");
    assert.equal(again.body.details.cardNumber, card.cardNumber);
    const ningbo = await call(tokens.ministry, "POST", "/cards/applications", {
      idNumber,
      areaCode: "330200",
    });
    assert.equal(ningbo.body.code, "CARD_ALREADY_HELD", "Ningbo is in the same province");
    const nanjing = await call(tokens.ministry, "POST", "/cards/applications", {
      idNumber,
      areaCode: "320100",
    });
    assert.equal(nanjing.status, 201, "another province may issue its own card");

    const employee = await person();
    const applied = await ok(tokens.clerk, "POST", "/cards/applications", {
      idNumber: employee,
      areaCode: "330100",
    });
    await produce(applied.cardNumber);
    const registerEmployer = async (name: string) => {
      const first17 = `91330106MA2${String(randomInt(1e6)).padStart(6, "0")}`;
      return ctx.deps.employers.register(SYSTEM_ACTOR, {
        creditCode: first17 + creditCodeCheck(first17),
        name,
        areaCode: "330106",
        contactName: "王",
        contactPhone: "12345",
      });
    };
    const employer = await registerEmployer("持卡人的单位");
    const stranger = await registerEmployer("无关单位");
    await ctx.deps.employers.registerEmployee(SYSTEM_ACTOR, employer.id, {
      idNumber: employee,
      hiredOn: "2026-09-15",
    });
    const collect = (creditCode?: string, letter?: string) =>
      call(tokens.clerk, "POST", `/cards/${applied.cardNumber}/issue`, {
        collectedBy: "employer",
        ...(creditCode ? { employerCreditCode: creditCode } : {}),
        ...(letter ? { employerLetterRef: letter } : {}),
        activate: false,
      });
    const noLetter = await collect(employer.creditCode);
    assert.deepEqual([noLetter.status, noLetter.body.code], [400, "VALIDATION_FAILED"]);
    const noEmployer = await collect(undefined, "杭人社介字〔2026〕118号");
    assert.deepEqual([noEmployer.status, noEmployer.body.code], [400, "VALIDATION_FAILED"]);
    const unknown = await collect("91330106MA27XXXX1X", "杭人社介字〔2026〕118号");
    assert.deepEqual([unknown.status, unknown.body.code], [404, "EMPLOYER_NOT_FOUND"]);
    const notTheirs = await collect(stranger.creditCode, "杭人社介字〔2026〕118号");
    assert.deepEqual(
      [notTheirs.status, notTheirs.body.code, notTheirs.body.details.creditCode],
      [403, "EMPLOYER_NOT_HOLDERS", stranger.creditCode],
    );
    assert.match(notTheirs.body.message, /不能代领/);
    const untouched = await ok(tokens.clerk, "GET", `/cards/${applied.cardNumber}`);
    assert.equal(untouched.state, "delivered", "a refused hand-over changes nothing");
    const issued = await ok(tokens.clerk, "POST", `/cards/${applied.cardNumber}/issue`, {
      collectedBy: "employer",
      employerCreditCode: employer.creditCode,
      employerLetterRef: "杭人社介字〔2026〕118号",
      activate: false,
    });
    assert.equal(issued.state, "archived");
    const history = await ok(tokens.clerk, "GET", `/cards/${applied.cardNumber}/history`);
    assert.equal(history.at(-1).details.letter, "杭人社介字〔2026〕118号");
    assert.equal(history.at(-1).details.employer, employer.creditCode);
  });

  it("stops settlement at a temporary loss and returns to the earlier state when it is revoked", async () => {
    const { idNumber, card } = await activeCard();
    const lost = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss`, {});
    assert.equal(lost.state, "temporarily_lost");
    assert.equal(lost.canSettle, false);
    const again = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss`, {});
    assert.equal(again.status, 409);
    assert.equal(again.body.code, "CARD_ACTION_NOT_ALLOWED");
    assert.equal(again.body.details.state, "temporarily_lost");
    assert.deepEqual(again.body.details.allowed, ["revoke_temporary_loss", "report_formal_loss", "cancel"]);
    const badId = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss/revoke`, {
      holderIdNumber: await person(),
    });
    assert.equal(badId.body.code, "HOLDER_ID_MISMATCH");
    const back = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss/revoke`, {
      holderIdNumber: idNumber,
    });
    assert.equal(back.state, "active");
    assert.equal(back.canSettle, true);

    const archived = await activeCard({ activate: false });
    await ok(tokens.clerk, "POST", `/cards/${archived.card.cardNumber}/temporary-loss`, {});
    const restored = await ok(
      tokens.clerk,
      "POST",
      `/cards/${archived.card.cardNumber}/temporary-loss/revoke`,
      { holderIdNumber: archived.idNumber },
    );
    assert.equal(restored.state, "archived");
  });

  it("replaces a formally lost card: certificate, ready date in working days, fee, new number, old card cancelled", async () => {
    await ok(tokens.admin, "POST", "/areas/330100/policies", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, replacementFeeFen: 2000 },
    });
    // Wednesday 25 November is made a holiday: Sunday 22 + 5 working days skips it.
    await ok(tokens.admin, "PUT", "/areas/330100/calendar/2026-11-25", { kind: "holiday", name: "测试假日" });
    const { idNumber, card } = await activeCard();
    const res = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/formal-loss`, {
      holderIdNumber: idNumber,
      agent: { idNumber: await person(), name: "代办人" },
    });
    assert.equal(res.lostCard.state, "formally_lost");
    const r = res.replacement;
    assert.equal(r.state, "applied");
    assert.equal(r.applicationKind, "replacement");
    assert.equal(r.replacesCardNumber, card.cardNumber);
    assert.notEqual(r.cardNumber, card.cardNumber);
    assert.match(r.tempCertificateNo, /^LS33010020261122\d{8}$/);
    assert.match(r.collectionSlipNo, /^LK33010020261122\d{8}$/);
    // Mon 23, Tue 24, (Wed 25 holiday), Thu 26, Fri 27, Mon 30.
    assert.equal(r.readyDate, "2026-11-30");
    assert.equal(r.feeFen, 2000);
    const twice = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/replacements`, {
      reason: "damaged",
      consent: true,
      holderIdNumber: idNumber,
    });
    assert.equal(twice.status, 409);
    const lostHistory = await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}/history`);
    assert.match(lostHistory.at(-1).details.agent.idNumber, /^\d{3}\*{11}/);
    const duplicates = await ok(tokens.clerk, "GET", "/cards/duplicates?province=33");
    assert.equal(
      duplicates.some((d: { cards: { cardNumber: string }[] }) =>
        d.cards.some((c) => c.cardNumber === r.cardNumber),
      ),
      false,
      "a lost card waiting for its replacement is not a duplicate",
    );

    await produce(r.cardNumber);
    await ok(tokens.clerk, "POST", `/cards/${r.cardNumber}/issue`, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate: true,
      collectionSlip: r.collectionSlipNo,
    });
    const old = await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`);
    assert.equal(old.state, "cancelled");
    assert.equal(old.cancelReason, "replaced");
  });

  it("opens renewal from 60 days before expiry, with consent, and replaces a damaged card at any time", async () => {
    const { idNumber, card } = await activeCard();
    const early = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/replacements`, {
      reason: "expiry",
      consent: true,
      holderIdNumber: idNumber,
    });
    assert.equal(early.status, 409);
    assert.deepEqual(early.body.details, { validUntil: "2036-11-21", opensOn: "2036-09-22" });
    const noConsent = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/replacements`, {
      reason: "damaged",
      consent: false,
      holderIdNumber: idNumber,
    });
    assert.equal(noConsent.body.code, "CONSENT_REQUIRED");
    const damaged = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/replacements`, {
      reason: "damaged",
      consent: true,
      holderIdNumber: idNumber,
    });
    assert.equal(damaged.applicationKind, "replacement");
    assert.equal(damaged.replacementReason, "damaged");
    assert.equal(
      (await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`)).state,
      "active",
      "the old card works until the new one is issued",
    );

    const other = await activeCard();
    ctx.clock.set("2036-09-22T02:00:00Z");
    try {
      const later = (await ctx.deps.staff.login({ username: "hz.clerk", password: TEST_PASSWORD })).token;
      const renewal = await ok(later, "POST", `/cards/${other.card.cardNumber}/replacements`, {
        reason: "expiry",
        consent: true,
        holderIdNumber: other.idNumber,
      });
      assert.equal(renewal.applicationKind, "renewal");
      assert.equal(renewal.feeFen, 0);
    } finally {
      ctx.clock.set("2026-11-22T02:00:00Z");
    }
  });

  it("activates the financial function only at the partner bank, and cancelling raises the bank's task", async () => {
    const { idNumber, card } = await activeCard();
    const wrongBank = await call(tokens.otherBank, "POST", `/cards/${card.cardNumber}/financial/activate`, {
      holderIdNumber: idNumber,
    });
    assert.equal(wrongBank.status, 403);
    assert.equal(wrongBank.body.code, "NOT_PARTNER_BANK");
    const clerkTries = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/financial/activate`, {
      holderIdNumber: idNumber,
    });
    assert.equal(clerkTries.status, 403);
    const activated = await ok(tokens.bank, "POST", `/cards/${card.cardNumber}/financial/activate`, {
      holderIdNumber: idNumber,
      agent: { idNumber: await person(), name: "子女代办", reason: "elderly" },
      doorToDoor: true,
    });
    assert.equal(activated.financialFunction, "activated");
    const history = await ok(tokens.bank, "GET", `/cards/${card.cardNumber}/history`);
    assert.equal(history.at(-1).details.agent.reason, "elderly");
    assert.equal(history.at(-1).details.doorToDoor, true);

    const noRecord = await call(tokens.clerk, "POST", `/cards/${card.cardNumber}/cancel`, {
      reason: "death",
    });
    assert.deepEqual(
      [noRecord.status, noRecord.body.code, noRecord.body.message],
      [422, "CANCEL_EVIDENCE_MISSING", "注销缺少依据：死亡、出国（境）定居或转出注销须登记证明材料编号"],
    );
    assert.equal(
      (await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`)).state,
      "active",
      "nothing changed",
    );
    const cancelled = await ok(tokens.clerk, "POST", `/cards/${card.cardNumber}/cancel`, {
      reason: "death",
      recordRef: "死亡证明 330106-2026-000123",
    });
    assert.equal(cancelled.state, "cancelled");
    assert.equal(
      (await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}/history`)).at(-1).details.recordRef,
      "死亡证明 330106-2026-000123",
    );
    const tasks = await ok(tokens.bank, "GET", "/bank-tasks");
    const task = tasks.find((t: { cardNumber: string }) => t.cardNumber === card.cardNumber);
    assert.equal(task.reason, "death");
    assert.deepEqual(await ok(tokens.otherBank, "GET", "/bank-tasks"), []);
    const foreign = await call(tokens.otherBank, "POST", `/bank-tasks/${task.id}/confirm`);
    assert.equal(foreign.status, 403);
    await ok(tokens.bank, "POST", `/bank-tasks/${task.id}/confirm`);
    assert.equal((await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`)).financialFunction, "cancelled");
    assert.ok(!(await ok(tokens.bank, "GET", "/bank-tasks")).some((t: { id: string }) => t.id === task.id));
  });

  it("lets any branch of the partner bank activate, also in another province", async () => {
    const nj = await ctx.deps.areas.createOutlet(SYSTEM_ACTOR, "320100", {
      name: "工商银行南京分行",
      kind: "bank_branch",
      bankCode: "ICBC",
    });
    await ctx.deps.staff.createAccount(SYSTEM_ACTOR, {
      username: "nj.bank",
      displayName: "nj",
      password: TEST_PASSWORD,
      grants: [{ role: "bank_clerk", areaCode: "320100", outletId: nj.id }],
    });
    const njToken = (await ctx.deps.staff.login({ username: "nj.bank", password: TEST_PASSWORD })).token;
    const { idNumber, card } = await activeCard();
    const activated = await ok(njToken, "POST", `/cards/${card.cardNumber}/financial/activate`, {
      holderIdNumber: idNumber,
    });
    assert.equal(activated.financialFunction, "activated");
    const again = await call(tokens.bank, "POST", `/cards/${card.cardNumber}/financial/activate`, {
      holderIdNumber: idNumber,
    });
    assert.equal(again.body.code, "FINANCIAL_ALREADY_ACTIVE");
  });

  it("expires cards past validity and cancels temporary losses not revoked within the policy's days", async () => {
    await ok(tokens.admin, "POST", "/areas/330100/policies", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, replacementFeeFen: 2000, preLossAutoCancelDays: 15 },
      note: "auto-cancel after 15 days",
    });
    const lost = await activeCard({ bankCode: "ICBC" });
    await ok(tokens.clerk, "POST", `/cards/${lost.card.cardNumber}/temporary-loss`, {});
    const kept = await activeCard();
    const day14 = await ctx.deps.cards.runDaily(SYSTEM_ACTOR, "2026-12-06");
    assert.ok(!day14.autoCancelled.includes(lost.card.cardNumber));
    const day15 = await ctx.deps.cards.runDaily(SYSTEM_ACTOR, "2026-12-07");
    assert.ok(day15.autoCancelled.includes(lost.card.cardNumber));
    const after = await ok(tokens.clerk, "GET", `/cards/${lost.card.cardNumber}`);
    assert.deepEqual([after.state, after.cancelReason], ["cancelled", "pre_loss_not_revoked"]);

    const window = await ctx.deps.cards.runDaily(SYSTEM_ACTOR, "2036-09-22");
    assert.ok(window.renewalWindowOpens.some((c) => c.cardNumber === kept.card.cardNumber));
    const expiry = await ctx.deps.cards.runDaily(SYSTEM_ACTOR, "2036-11-22");
    assert.ok(expiry.expired.includes(kept.card.cardNumber));
    assert.equal((await ok(tokens.clerk, "GET", `/cards/${kept.card.cardNumber}`)).state, "expired");
  });

  it("imports an employer's CSV row by row: accepted rows go through, rejected rows say why and write nothing", async () => {
    const holder = (await activeCard()).idNumber;
    const registered = await person();
    const fresh1 = newIdNumber("330105");
    const fresh2 = newIdNumber("330105");
    const bad = `${newIdNumber("330105").slice(0, 17)}Y`;
    const csv = [
      "id_number,name,ethnicity,phone,photo_ref,bank_code,employer_code,employer_name",
      `${fresh1},"李,明",01,13800000001,photo/1.jpg,ICBC,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${fresh2},王芳,01,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${bad},张三,01,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${fresh2},王芳,01,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${holder},持卡人,01,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${registered},别的名字,01,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${newIdNumber("330105")},赵六,99,,,,91330100MA27XL0E2G,杭州某科技有限公司`,
      `${newIdNumber("330105")},孙七,01,,,,91330100MA27XXXX1X,杭州某科技有限公司`,
    ].join("\r\n");
    const personsBefore = await ctx.deps.database.db
      .selectFrom("persons")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    const report = await ok(tokens.clerk, "POST", "/cards/applications/batch", { areaCode: "330100", csv });
    assert.equal(report.accepted, 2);
    assert.deepEqual(
      report.rows.map((r: { line: number; status: string; reason?: string }) => [
        r.line,
        r.status,
        r.reason ?? "",
      ]),
      [
        [2, "accepted", ""],
        [3, "accepted", ""],
        [4, "rejected", "公民身份号码无效：前 17 位应为数字，末位为数字或 X"],
        [5, "rejected", "该身份证号码在文件前面的行中已出现"],
        [
          6,
          "rejected",
          `该人员在本省已持有社会保障卡（${(await ok(tokens.clerk, "GET", `/cards?idNumber=${holder}`))[0].cardNumber}）`,
        ],
        [7, "rejected", "姓名与已登记人员不一致"],
        [8, "rejected", "民族代码无效"],
        [9, "rejected", "单位统一社会信用代码无效：校验码不正确"],
      ],
    );
    assert.equal(report.rows[2].reasonCode, "invalid_id_number", "the stable code beside the wording");
    const english = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/cards/applications/batch",
      headers: { authorization: `Bearer ${tokens.clerk}`, "accept-language": "en" },
      payload: {
        areaCode: "330100",
        csv: csv.split("\r\n").slice(0, 1).concat(csv.split("\r\n")[3]).join("\n"),
      },
    });
    assert.equal(english.json().rows[0].reason, "invalid ID number: 17 digits then a digit or X");
    const personsAfter = await ctx.deps.database.db
      .selectFrom("persons")
      .select((eb) => eb.fn.countAll().as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(
      Number(personsAfter.n) - Number(personsBefore.n),
      2,
      "only the accepted rows' persons were registered",
    );
    const registrations = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("subject_id")
      .where("action", "=", "person.register")
      .where("subject_id", "in", [
        (await ok(tokens.clerk, "GET", `/cards?idNumber=${fresh1}`))[0].holder.personId,
        (await ok(tokens.clerk, "GET", `/cards?idNumber=${fresh2}`))[0].holder.personId,
      ])
      .execute();
    assert.equal(registrations.length, 2, "each person an import registered has its person.register record");
    const first = (await ok(tokens.clerk, "GET", `/cards?idNumber=${fresh1}`))[0];
    assert.equal(first.bankCode, "ICBC");
    assert.equal((await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, fresh1)).name, "李,明");
    const missing = await call(tokens.clerk, "POST", "/cards/applications/batch", {
      areaCode: "330100",
      csv: "id_number,name\n1,2",
    });
    assert.equal(missing.body.code, "CSV_INVALID");
  });

  it("imports legacy cards, lists duplicates with advice, and resolves them at the counter", async () => {
    const { idNumber, card } = await activeCard();
    const header =
      "id_number,name,ethnicity,area_code,card_number,card_id_code,spec_version,issue_date,valid_until,state,bank_code,financial_function";
    const csv = [
      header,
      `${idNumber},持卡人,01,330100,OLD000001,330100D1560000050000000000000001,2.00,2014-05-01,2024-04-30,temporarily_lost,ICBC,activated`,
      `${idNumber},持卡人,01,330200,OLD000002,330200D1560000050000000000000002,2.01,2016-05-01,2026-04-30,active,,`,
      `${idNumber},持卡人,01,330100,OLD000003,330100D1560000050000000000000003,1.00,2016-05-01,2026-04-30,active,,`,
      `${idNumber},持卡人,01,330100,OLD000001,330100D1560000050000000000000009,2.00,2014-05-01,2024-04-30,active,,`,
    ].join("\n");
    const report = worded(await ctx.deps.cards.importLegacy(SYSTEM_ACTOR, csv), "en");
    assert.deepEqual(
      report.rows.map((r) => [r.line, r.status, r.reason ?? ""]),
      [
        [2, "accepted", ""],
        [3, "accepted", ""],
        [4, "rejected", "spec version must be 2.00, 2.01 or 3.00"],
        [5, "rejected", "card number or identification code already exists"],
      ],
    );
    const legacy = await ok(tokens.clerk, "GET", "/cards/OLD000001");
    assert.equal(legacy.specVersion, "2.00");
    // A holder the registry did not know is registered through the persons module, with its record.
    const newcomer = newIdNumber("330106");
    const imported = await ctx.deps.cards.importLegacy(
      SYSTEM_ACTOR,
      `${header}\n${newcomer},新持卡人,01,330100,OLD000777,330100D1560000050000000000000777,2.00,2015-01-01,2025-12-31,active,,`,
    );
    assert.equal(imported.accepted, 1);
    const newHolder = (await ok(tokens.clerk, "GET", "/cards/OLD000777")).holder.personId;
    const registered = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("subject_id", "=", newHolder)
      .where("action", "=", "person.register")
      .execute();
    assert.equal(registered.length, 1, "the legacy import registered its new holder with the audit record");
    const dups = await ok(tokens.clerk, "GET", "/cards/duplicates?province=33");
    const mine = dups.find((d: { cards: { cardNumber: string }[] }) =>
      d.cards.some((c) => c.cardNumber === card.cardNumber),
    );
    assert.deepEqual(
      mine.cards
        .map((c: { cardNumber: string; advice: string }) => [c.cardNumber, c.advice.split(":")[0]])
        .sort(),
      [
        [card.cardNumber, "normal card"],
        ["OLD000001", "unavailable card"],
        ["OLD000002", "normal card"],
      ].sort(),
    );
    await ok(tokens.clerk, "POST", "/cards/OLD000001/cancel", { reason: "duplicate" });
    const afterCancel = await ok(tokens.clerk, "GET", "/cards/duplicates?province=33");
    const still = afterCancel.find((d: { personId: string }) => d.personId === mine.personId);
    assert.deepEqual(
      still.cards.map((c: { cardNumber: string }) => c.cardNumber).sort(),
      [card.cardNumber, "OLD000002"].sort(),
    );
    const tasks = await ok(tokens.bank, "GET", "/bank-tasks");
    assert.ok(
      tasks.some(
        (t: { cardNumber: string; reason: string }) =>
          t.cardNumber === "OLD000001" && t.reason === "duplicate",
      ),
    );
  });

  it("cancels on the holder's request only with the holder's ID checked; an agent is recorded masked", async () => {
    const { idNumber, card } = await activeCard();
    const url = `/cards/${card.cardNumber}/cancel`;
    const bare = await call(tokens.clerk, "POST", url, { reason: "holder_request" });
    assert.deepEqual(
      [bare.status, bare.body.code, bare.body.details.reason],
      [422, "CANCEL_EVIDENCE_MISSING", "holder_id"],
    );
    const wrong = await call(tokens.clerk, "POST", url, {
      reason: "holder_request",
      holderIdNumber: newIdNumber(),
    });
    assert.equal(wrong.body.code, "HOLDER_ID_MISMATCH");
    assert.equal(
      (await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`)).state,
      "active",
      "nothing changed",
    );
    const agentId = newIdNumber();
    const done = await ok(tokens.clerk, "POST", url, {
      reason: "holder_request",
      holderIdNumber: idNumber,
      agent: { idNumber: agentId, name: "代办人" },
    });
    assert.equal(done.state, "cancelled");
    const last = (await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}/history`)).at(-1);
    assert.equal(last.details.holderIdChecked, true);
    assert.notEqual(last.details.agent.idNumber, agentId, "the agent's ID is masked");
  });

  it("keeps one consistent history under 20 concurrent conflicting actions on one card", async () => {
    const { idNumber, card } = await activeCard({ activate: false });
    const requests = Array.from({ length: 20 }, (_, i) => {
      const kind = i % 4;
      if (kind === 0) return call(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss`, {});
      if (kind === 1)
        return call(tokens.clerk, "POST", `/cards/${card.cardNumber}/activate`, { holderIdNumber: idNumber });
      if (kind === 2)
        return call(tokens.clerk, "POST", `/cards/${card.cardNumber}/cancel`, {
          reason: "holder_request",
          holderIdNumber: idNumber,
        });
      return call(tokens.clerk, "POST", `/cards/${card.cardNumber}/temporary-loss/revoke`, {
        holderIdNumber: idNumber,
      });
    });
    const results = await Promise.all(requests);
    for (const r of results) assert.ok(r.status === 200 || r.status === 409, JSON.stringify(r.body));
    const history = await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}/history`);
    const changes = history.slice(4);
    assert.equal(changes.length, results.filter((r) => r.status === 200).length, "one event per success");
    for (let i = 1; i < history.length; i++)
      assert.equal(history[i].fromState, history[i - 1].toState, "each event starts where the last ended");
    const final = await ok(tokens.clerk, "GET", `/cards/${card.cardNumber}`);
    assert.equal(final.state, history.at(-1).toState);
    assert.equal(
      final.state,
      "cancelled",
      "cancel is allowed from every state, so one of the five cancels wins",
    );
    assert.equal(results.filter((r) => r.status === 200 && r.body.state === "cancelled").length, 1);
  });

  it("refuses the remaining bad requests with their codes, and a hotline's pre-loss by a card number alone", async () => {
    const noPhoto = newIdNumber();
    await ctx.deps.persons.register(SYSTEM_ACTOR, {
      idNumber: noPhoto,
      name: "无照片",
      ethnicity: "01",
      areaCode: "330100",
    });
    const photo = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: noPhoto,
      areaCode: "330100",
    });
    assert.deepEqual([photo.status, photo.body.code], [400, "PHOTO_REQUIRED"]);
    const unknownPerson = await call(tokens.clerk, "POST", "/cards/applications", {
      idNumber: newIdNumber(),
      areaCode: "330100",
    });
    assert.deepEqual([unknownPerson.status, unknownPerson.body.code], [404, "PERSON_NOT_FOUND"]);

    const noBank = await activeCard({ bankCode: "" });
    const financial = await call(tokens.bank, "POST", `/cards/${noBank.card.cardNumber}/financial/activate`, {
      holderIdNumber: noBank.idNumber,
    });
    assert.deepEqual([financial.status, financial.body.code], [409, "NO_PARTNER_BANK"]);

    const nothing = await call(tokens.ministry, "POST", "/cards/production-batches", { areaCode: "330200" });
    assert.deepEqual([nothing.status, nothing.body.code], [409, "NOTHING_TO_PRODUCE"]);
    const noBatch = await call(
      tokens.admin,
      "POST",
      "/cards/production-batches/00000000-0000-4000-8000-000000000000/return",
      { csv: "card_id_code,result,chip_serial\n" },
    );
    assert.deepEqual([noBatch.status, noBatch.body.code], [404, "BATCH_NOT_FOUND"]);
    const noTask = await call(
      tokens.bank,
      "POST",
      "/bank-tasks/00000000-0000-4000-8000-000000000000/confirm",
    );
    assert.deepEqual([noTask.status, noTask.body.code], [404, "BANK_TASK_NOT_FOUND"]);
    const badReason = await call(tokens.clerk, "POST", `/cards/${noBank.card.cardNumber}/cancel`, {
      reason: "replaced",
    });
    assert.equal(badReason.status, 400, "replaced is set by the system when the new card is issued");

    const hotline = await ctx.deps.staff.createApiKey(SYSTEM_ACTOR, {
      name: "12333 IVR",
      role: "outlet_clerk",
      areaCode: "330100",
      channel: "phone",
    });
    // The 96102 line pre-losses with the ID number and password (src/modules/phone), never by a number alone.
    const bare = await call(hotline.token, "POST", `/cards/${noBank.card.cardNumber}/temporary-loss`, {});
    assert.deepEqual([bare.status, bare.body.code], [403, "FORBIDDEN"]);
  });

  it("puts lost cards on the signed blacklist in the same transaction, with gapless versions under concurrency", async () => {
    const before = await ok(tokens.hospital, "GET", "/cards/blacklist".replace("/cards", ""));
    const start = before.to;
    const cards = [];
    for (let i = 0; i < 6; i++) cards.push(await activeCard());
    await Promise.all(
      cards.map((c) => call(tokens.clerk, "POST", `/cards/${c.card.cardNumber}/temporary-loss`, {})),
    );
    await ok(tokens.clerk, "POST", `/cards/${cards[0].card.cardNumber}/temporary-loss/revoke`, {
      holderIdNumber: cards[0].idNumber,
    });
    const delta = await ok(tokens.hospital, "GET", `/blacklist?since=${start}`);
    assert.deepEqual(
      delta.entries.map((e: { version: number }) => e.version),
      Array.from({ length: 7 }, (_, i) => start + i + 1),
      "versions follow one another",
    );
    const codes = new Set(cards.map((c) => c.card.cardIdCode));
    assert.equal(
      delta.entries.filter(
        (e: { action: string; cardIdCode: string }) => e.action === "add" && codes.has(e.cardIdCode),
      ).length,
      6,
    );
    assert.deepEqual(delta.entries.at(-1), {
      version: start + 7,
      cardIdCode: cards[0].card.cardIdCode,
      action: "remove",
      state: "active",
    });
    assert.equal(delta.userId, "1234567812345678");
    assert.ok(verifySigned(delta, delta.publicKey), "the SM2 signature verifies");
    assert.equal(
      verifySigned({ ...delta, to: delta.to + 1 }, delta.publicKey),
      false,
      "a changed list does not",
    );
    const nothingNew = await ok(tokens.hospital, "GET", `/blacklist?since=${delta.to}`);
    assert.deepEqual([nothingNew.from, nothingNew.to, nothingNew.entries], [delta.to, delta.to, []]);
  });

  it("answers unknown and malformed card numbers and other areas' cards clearly", async () => {
    const unknown = await call(tokens.clerk, "GET", `/cards/00000000${cardNumberCheckCharacter("00000000")}`);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.code, "CARD_NOT_FOUND");
    const malformed = await call(tokens.clerk, "GET", "/cards/ABC");
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.code, "INVALID_CARD_NUMBER");
    const { card } = await activeCard();
    const outsider = await call(tokens.nbClerk, "POST", `/cards/${card.cardNumber}/temporary-loss`, {});
    assert.equal(outsider.status, 403);
    assert.equal(outsider.body.code, "AREA_FORBIDDEN");
  });
});
