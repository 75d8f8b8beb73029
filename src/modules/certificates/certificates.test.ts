import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import {
  callAs,
  cardInState,
  designatedPharmacy,
  produceAll,
  seedAreas,
  staffToken,
  useTestApp,
} from "../../../test/fixtures.ts";
import { pdfsig, poppler, qrOfPdf, screenshotOfPdf, textOfPdf } from "../../../test/pdf.ts";
import { commands } from "../../cli/commands.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { addDays, type fixedClock } from "../../shared/clock.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { parseQrText, qrText } from "./certificates.rules.ts";
import { verifyQr } from "./certificates.verify.ts";

forEachDialect("certificates", (dialect) => {
  const ctx = useTestApp(dialect);
  const tokens = {} as { clerk: string; ningbo: string };
  before(async () => {
    await seedAreas(ctx.deps);
    tokens.clerk = await staffToken(ctx.deps, "cert.clerk", "outlet_clerk", "330100");
    tokens.ningbo = await staffToken(ctx.deps, "cert.nb", "outlet_clerk", "330200");
  });
  const call = (token: string, method: "GET" | "POST", url: string, payload?: object) =>
    callAs(ctx.app, token)(method, url, payload);
  const pdfOf = async (serial: string, token = tokens.clerk, lang = "zh") =>
    ctx.app.inject({
      method: "GET",
      url: `/api/v1/certificates/${serial}/pdf?lang=${lang}`,
      headers: { authorization: `Bearer ${token}` },
    });

  /** `sscard certificate verify …`: its exit code and what it printed. */
  const cli = async (args: string[]): Promise<[number, string]> => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    try {
      return [await commands["certificate verify"](ctx.deps, ctx.deps.database, args), lines.join("\n")];
    } finally {
      console.log = log;
    }
  };
  const validUntil = async (serial: string) =>
    (
      await ctx.deps.database.db
        .selectFrom("certificates")
        .select("valid_until")
        .where("serial", "=", serial)
        .executeTakeFirstOrThrow()
    ).valid_until;

  /** The slip that came with a replacement. */
  const slipOf = async (cardNumber: string) =>
    (
      await ctx.deps.database.db
        .selectFrom("certificates")
        .select("serial")
        .where("kind", "=", "collection_slip")
        .where("card_id", "=", (await ctx.deps.cards.cardByNumber(cardNumber)).id)
        .executeTakeFirstOrThrow()
    ).serial;

  /** The area's cards in production are made. */
  const produce = () => produceAll(ctx.deps);
  const handOver = (cardNumber: string, idNumber: string, slip: object) =>
    call(tokens.clerk, "POST", `/cards/${cardNumber}/issue`, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate: true,
      ...slip,
    });
  it("a formal loss issues the temporary medical certificate and the collection slip: Chinese PDFs with a signed QR anyone can check; the new card ends them", {
    skip: poppler ? undefined : "poppler-utils missing",
  }, async () => {
    const c = await cardInState(ctx.deps, "active", { name: "李凭证" });
    const loss = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/formal-loss`, {
      holderIdNumber: c.idNumber,
    });
    assert.equal(loss.status, 200, JSON.stringify(loss.body));
    const temporary = loss.body.replacement.tempCertificateNo as string;
    const rows = await ctx.deps.database.db
      .selectFrom("certificates")
      .selectAll()
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(loss.body.replacement.cardNumber)).id)
      .orderBy("kind")
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.kind, r.status]),
      [
        ["collection_slip", "valid"],
        ["temporary_medical", "valid"],
      ],
    );
    assert.equal(
      rows[1].serial,
      temporary,
      "the temporary certificate's serial is the number the counter gave",
    );
    assert.ok(!rows[1].facts.includes(c.idNumber), "the register keeps the ID number masked");
    const slip = rows[0].serial;

    const pdf = await pdfOf(temporary);
    assert.equal(pdf.statusCode, 200, pdf.body);
    assert.equal(pdf.headers["content-type"], "application/pdf");
    const bytes = pdf.rawPayload;
    const text = textOfPdf(bytes);
    for (const words of [
      "社会保障卡临时就医凭证",
      "李凭证",
      "浙江省杭州市人力资源和社会保障局",
      temporary,
      "扫码核验真伪",
    ])
      assert.ok(text.includes(words), `the PDF says ${words}: ${text}`);
    assert.ok(!text.includes(c.idNumber), "the PDF shows the ID number masked");
    const englishPdf = (await pdfOf(temporary, tokens.clerk, "en")).rawPayload;
    assert.match(textOfPdf(englishPdf), /Temporary medical certificate/);
    screenshotOfPdf(bytes, "temporary-medical-certificate");
    screenshotOfPdf(englishPdf, "temporary-medical-certificate-en");

    // The QR code read from the page's image: signed by Hangzhou's certificate key.
    const scanned = qrOfPdf(bytes);
    assert.ok(scanned.startsWith(`http://127.0.0.1:8080/v/${temporary}#c=`), scanned);
    const key = (await ctx.app.inject({ method: "GET", url: "/api/v1/certificate-keys/330100" })).json();
    const keys = { "330100": key.publicKey };
    const checked = verifyQr(scanned, keys);
    assert.ok(checked.ok, JSON.stringify(checked));
    assert.equal(checked.claims.k, "temporary_medical");
    assert.equal(checked.claims.n, "李**");
    // A changed field, another area's key, another serial in the address: each refused.
    const parsed = parseQrText(scanned);
    assert.ok(parsed.ok);
    const forged = qrText(
      "http://127.0.0.1:8080",
      { ...parsed.claims, u: "2099-12-31" },
      parsed.signatureHex,
    );
    assert.deepEqual(verifyQr(forged, keys), { ok: false, reason: "BAD_SIGNATURE" });
    const ningboKey = (
      await ctx.app.inject({ method: "GET", url: "/api/v1/certificate-keys/330200" })
    ).json();
    assert.deepEqual(verifyQr(scanned, { "330100": ningboKey.publicKey }), {
      ok: false,
      reason: "BAD_SIGNATURE",
    });
    assert.deepEqual(verifyQr(scanned.replace(`/v/${temporary}`, `/v/${slip}`), keys), {
      ok: false,
      reason: "SERIAL_MISMATCH",
    });
    assert.deepEqual(verifyQr("http://example.com/", keys), { ok: false, reason: "MALFORMED" });

    // The PAdES signature: valid, by Hangzhou's signer, trusted once the area's published CA is; one
    // changed byte breaks it.
    const signature = pdfsig(bytes, key.pdfCaCertificate);
    assert.match(signature, /Signature Type: ETSI\.CAdES\.detached/);
    assert.match(
      signature,
      /Signer Certificate Common Name: 浙江省杭州市人力资源和社会保障局 电子证明专用章/,
    );
    assert.match(signature, /Signature Validation: Signature is Valid\./);
    assert.match(signature, /Certificate Validation: Certificate is Trusted\./);
    assert.match(pdfsig(bytes), /Certificate issuer isn't Trusted/, "not trusted without the area's CA");
    const changed = Buffer.from(bytes);
    const at = changed.indexOf(Buffer.from(temporary, "latin1"));
    changed[at > 0 ? at : 400] ^= 0x01;
    assert.doesNotMatch(
      pdfsig(changed, key.pdfCaCertificate),
      /Signature is Valid/,
      "a changed byte breaks it",
    );

    // The public page: masked, valid; another area's clerk may not print it.
    const page = await ctx.app.inject({ method: "GET", url: `/v/${temporary}` });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /此凭证真实有效/);
    assert.match(page.body, /李\*\*/);
    assert.ok(!page.body.includes("李凭证") && !page.body.includes(c.idNumber), "no full name or ID number");
    assert.equal((await pdfOf(temporary, tokens.ningbo)).json().code, "AREA_FORBIDDEN");
    const unknown = await ctx.app.inject({ method: "GET", url: "/v/LS33010020261206999999999" });
    assert.equal(unknown.statusCode, 400, "not a serial");
    const none = await ctx.app.inject({
      method: "GET",
      url: "/v/LS330100202612069999999X".replace("X", "9"),
    });
    assert.match(none.body, /查无此凭证/);

    // The replacement is produced and collected with the slip: asked for, checked, then used.
    const replacement = loss.body.replacement.cardNumber as string;
    await produce();
    const noSlip = await handOver(replacement, c.idNumber, {});
    assert.deepEqual([noSlip.status, noSlip.body.code], [422, "COLLECTION_SLIP_REQUIRED"]);
    assert.match(noSlip.body.message, /须出示领卡凭证/);
    const otherSlip = await handOver(replacement, c.idNumber, {
      collectionSlip: `LK330100${"1".repeat(16)}`,
    });
    assert.deepEqual(
      [otherSlip.body.code, otherSlip.body.details.reason],
      ["COLLECTION_SLIP_MISMATCH", "not_this_card"],
    );
    const slipPdf = await pdfOf(slip);
    assert.match(textOfPdf(slipPdf.rawPayload), /社会保障卡领卡凭证/);
    screenshotOfPdf(slipPdf.rawPayload, "collection-slip");
    const slipQr = qrOfPdf(slipPdf.rawPayload);
    const slipClaims = parseQrText(slipQr);
    assert.ok(slipClaims.ok);
    const forgedSlip = qrText(
      "http://127.0.0.1:8080",
      { ...slipClaims.claims, u: "2099-12-31" },
      slipClaims.signatureHex,
    );
    const bad = await handOver(replacement, c.idNumber, { collectionSlip: forgedSlip });
    assert.deepEqual([bad.body.code, bad.body.details.reason], ["COLLECTION_SLIP_MISMATCH", "BAD_SIGNATURE"]);
    assert.match(bad.body.message, /签名验证失败/);
    const issued = await handOver(replacement, c.idNumber, { collectionSlip: slipQr });
    assert.equal(issued.status, 200, JSON.stringify(issued.body));
    const handedOver = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("after")
      .where("action", "=", "card.issue_and_activate")
      .where("subject_id", "=", (await ctx.deps.cards.cardByNumber(replacement)).id)
      .executeTakeFirstOrThrow();
    assert.match(String(handedOver.after), new RegExp(`"collectionSlip":"${slip}"`));
    const after = await ctx.app.inject({
      method: "GET",
      url: `/api/v1/certificates/${temporary}/verification?lang=en`,
    });
    assert.deepEqual(
      [after.json().status, after.json().statusReason, after.json().statusName],
      ["revoked", "new_card_collected", "revoked"],
    );
    assert.equal(after.json().agency, "Human Resources and Social Security Bureau of 浙江省杭州市");
    assert.match(
      (await ctx.app.inject({ method: "GET", url: `/v/${temporary}` })).body,
      /此凭证已不再有效：已作废/,
    );
    const slipNow = await ctx.app.inject({ method: "GET", url: `/api/v1/certificates/${slip}/verification` });
    assert.equal(slipNow.json().status, "superseded");
    // A reprint says so across the page.
    assert.match(textOfPdf((await pdfOf(temporary)).rawPayload), /已作废/);
    const again = await call(tokens.clerk, "POST", `/certificates/${temporary}/revoke`, {
      reason: "重复作废",
    });
    assert.deepEqual([again.status, again.body.code], [409, "CERTIFICATE_NOT_VALID"]);
    const audit = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where(
        "subject_id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    const actions = audit.map((a) => a.action).sort();
    for (const a of ["certificate.issue", "certificate.print", "certificate.revoke", "certificate.supersede"])
      assert.ok(actions.includes(a), `${a} is audited: ${actions}`);
  });

  it("the temporary certificate stands for the card at a pharmacy: the online check and a settlement with the holder's password, refused once the new card is collected", async () => {
    const terminalNo = "330100000801";
    const pharmacy = await designatedPharmacy(ctx.deps, "HZ-CERT-PH", terminalNo);
    const operator = await staffToken(ctx.deps, "cert.pharmacy", "pharmacy_operator", "330100", {
      institutionId: pharmacy.id,
    });
    const c = await cardInState(ctx.deps, "active", { name: "孙临时" });
    const enrolled = await call(tokens.clerk, "POST", "/enrolments", {
      idNumber: c.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-01-01",
    });
    assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
    const paid = await call(tokens.clerk, "POST", "/contributions", {
      payer: "self",
      idNumber: c.idNumber,
      month: "2026-10",
      gradePercent: 100,
    });
    assert.equal(paid.status, 201, JSON.stringify(paid.body));
    await ctx.deps.medical.transferMonth(SYSTEM_ACTOR, "2026-10");
    const loss = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/formal-loss`, {
      holderIdNumber: c.idNumber,
    });
    const number = loss.body.replacement.tempCertificateNo as string;
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);

    const check = (body: object) => call(operator, "POST", "/online-checks", body);
    assert.equal((await check({ cardNumber: c.cardNumber })).body.result, "CARD_INVALID", "the lost card");
    const insured = await check({ temporaryCertificateNo: number });
    assert.deepEqual(
      [insured.status, insured.body.result, insured.body.temporaryCertificateNo, insured.body.cardNumber],
      [200, "INSURED", number, loss.body.replacement.cardNumber],
    );
    const unknown = await check({ temporaryCertificateNo: `LS330100${"0".repeat(16)}` });
    assert.equal(unknown.body.result, "TEMPORARY_CERTIFICATE_NOT_FOUND");
    assert.match(unknown.body.diagnostic.zh.cause, /凭证登记簿中没有/);
    const both = await check({ cardNumber: c.cardNumber, temporaryCertificateNo: number });
    assert.deepEqual([both.status, both.body.code], [400, "VALIDATION_FAILED"]);
    assert.equal(
      (await check({ temporaryCertificateNo: await slipOf(loss.body.replacement.cardNumber) })).status,
      400,
      "a collection slip is not a medical certificate",
    );

    let n = 0;
    const settle = (over: object) =>
      call(operator, "POST", "/settlements", {
        terminalNo,
        idempotencyKey: `cert-${dialect}-${++n}`,
        items: [{ code: "XA01", quantity: 1, unitPriceFen: 1000 }],
        ...over,
      });
    const wrong = await settle({
      temporaryCertificate: { number, pin: pin === "000000" ? "999999" : "000000" },
    });
    assert.deepEqual([wrong.status, wrong.body.code], [403, "PASSWORD_WRONG"]);
    const byCard = await settle({ card: { cardNumber: c.cardNumber, pin } });
    assert.deepEqual([byCard.body.code, byCard.body.details?.state], ["CARD_NOT_USABLE", "formally_lost"]);
    const paidWith = await settle({ temporaryCertificate: { number, pin } });
    assert.equal(paidWith.status, 200, JSON.stringify(paidWith.body));
    assert.deepEqual([paidWith.body.medium, paidWith.body.totals.totalFen], ["tempcert", 1000]);
    const attempts = await ctx.deps.database.db
      .selectFrom("pin_attempts")
      .select("result")
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(c.cardNumber)).id)
      .where("source", "!=", "seed")
      .execute();
    assert.ok(
      attempts.some((a) => a.result === "wrong"),
      "the wrong password counted on the lost card",
    );

    // The new card is collected (the slip reported lost: the ID card alone, and the slip ends): the
    // certificate is refused, with why, by the check and the till.
    await produce();
    const slip = await slipOf(loss.body.replacement.cardNumber);
    const handed = await handOver(loss.body.replacement.cardNumber, c.idNumber, { collectionSlipLost: true });
    assert.equal(handed.status, 200, JSON.stringify(handed.body));
    const slipNow = await ctx.app.inject({ method: "GET", url: `/api/v1/certificates/${slip}/verification` });
    assert.deepEqual([slipNow.json().status, slipNow.json().statusReason], ["revoked", "slip_reported_lost"]);
    const ended = await settle({ temporaryCertificate: { number, pin } });
    assert.deepEqual(
      [ended.status, ended.body.code, ended.body.details.reason],
      [409, "CERTIFICATE_NOT_VALID", "new_card_collected"],
    );
    assert.match(ended.body.message, /新卡已领取/);
    const checkedAfter = await check({ temporaryCertificateNo: number });
    assert.equal(checkedAfter.body.result, "TEMPORARY_CERTIFICATE_INVALID");
    assert.equal((await check({ cardNumber: loss.body.replacement.cardNumber })).body.result, "INSURED");
  });

  it("settlements with the temporary certificate racing the new card's hand-over: each is refused or committed before the certificate ended, never after; one key twice at once settles once", async () => {
    const terminalNo = "330100000802";
    const pharmacy = await designatedPharmacy(ctx.deps, "HZ-CERT-RACE", terminalNo);
    const operator = await staffToken(ctx.deps, "cert.race", "pharmacy_operator", "330100", {
      institutionId: pharmacy.id,
    });
    const c = await cardInState(ctx.deps, "active", { name: "钱并发" });
    await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: c.idNumber,
      scheme: "resident_medical",
      areaCode: "330106",
      startDate: "2026-01-01",
    });
    const loss = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/formal-loss`, {
      holderIdNumber: c.idNumber,
    });
    const number = loss.body.replacement.tempCertificateNo as string;
    const pin = initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY);
    const settle = (key: string) =>
      call(operator, "POST", "/settlements", {
        terminalNo,
        idempotencyKey: key,
        items: [{ code: "XA01", quantity: 1, unitPriceFen: 500 }],
        temporaryCertificate: { number, pin },
      });
    const twice = await Promise.all([settle(`race-${dialect}-same`), settle(`race-${dialect}-same`)]);
    assert.deepEqual(
      twice.map((r) => r.status),
      [200, 200],
    );
    assert.equal(twice[0].body.settlementId, twice[1].body.settlementId, "one settlement for one key");

    await produce();
    const slip = await slipOf(loss.body.replacement.cardNumber);
    const [handed, ...paid] = await Promise.all([
      handOver(loss.body.replacement.cardNumber, c.idNumber, { collectionSlip: slip }),
      ...Array.from({ length: 6 }, (_, i) => settle(`race-${dialect}-${i}`)),
    ]);
    assert.equal(handed.status, 200, JSON.stringify(handed.body));
    for (const r of paid)
      assert.ok(
        r.status === 200 || (r.status === 409 && r.body.code === "CERTIFICATE_NOT_VALID"),
        JSON.stringify(r.body),
      );
    const { db } = ctx.deps.database;
    const ended = await db
      .selectFrom("audit_log")
      .select("seq")
      .where("action", "=", "certificate.revoke")
      .where("after", "like", `%${number}%`)
      .executeTakeFirstOrThrow();
    const settledIds = paid.filter((r) => r.status === 200).map((r) => r.body.settlementId as string);
    const settledAt = settledIds.length
      ? await db.selectFrom("audit_log").select("seq").where("subject_id", "in", settledIds).execute()
      : [];
    assert.equal(settledAt.length, settledIds.length, "each settlement has its audit record");
    for (const s of settledAt)
      assert.ok(Number(s.seq) < Number(ended.seq), "a settlement committed after the certificate ended");
    const rows = await db
      .selectFrom("settlements")
      .select("id")
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(loss.body.replacement.cardNumber)).id)
      .execute();
    assert.equal(rows.length, settledIds.length + 1, "no settlement lost or written twice");
    assert.equal((await ctx.deps.medical.ledgerSums()).total, 0, "the books balance");
    const after = await settle(`race-${dialect}-after`);
    assert.equal(after.body.code, "CERTIFICATE_NOT_VALID");
  });

  it("a clerk revokes a certificate with a reason, once even when asked twice at once", async () => {
    const c = await cardInState(ctx.deps, "active", { name: "王作废" });
    const loss = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/formal-loss`, {
      holderIdNumber: c.idNumber,
    });
    const serial = loss.body.replacement.tempCertificateNo as string;
    // The command line reads the QR from the PDF file and checks it offline and in the register.
    const file = join(mkdtempSync(join(tmpdir(), "sscard-cli-")), `${serial}.pdf`);
    writeFileSync(file, (await pdfOf(serial)).rawPayload);
    assert.deepEqual(await cli([file]), [
      0,
      `valid temporary_medical ${serial}: 王** 330***********${c.idNumber.slice(-4)}, area 330100, issued 2026-11-22, valid until ${await validUntil(serial)}`,
    ]);
    const ningboKey = (
      await ctx.app.inject({ method: "GET", url: "/api/v1/certificate-keys/330200" })
    ).json();
    assert.deepEqual(await cli([file, "--key", ningboKey.publicKey]), [1, "refused: BAD_SIGNATURE"]);
    assert.deepEqual(await cli(["not a certificate"]), [1, "refused: MALFORMED"]);
    // The register's facts changed behind the paper's back: the signed digest no longer matches.
    const facts = (
      await ctx.deps.database.db
        .selectFrom("certificates")
        .select("facts")
        .where("serial", "=", serial)
        .executeTakeFirstOrThrow()
    ).facts;
    const edit = (value: string) =>
      ctx.deps.database.db
        .updateTable("certificates")
        .set({ facts: value })
        .where("serial", "=", serial)
        .execute();
    await edit(facts.replace("readyDate", "readyDay"));
    try {
      assert.deepEqual(await cli([file]), [1, "refused: FACTS_DIFFER"]);
    } finally {
      await edit(facts);
    }
    const short = await call(tokens.clerk, "POST", `/certificates/${serial}/revoke`, { reason: "x" });
    assert.equal(short.status, 400);
    const other = await call(tokens.ningbo, "POST", `/certificates/${serial}/revoke`, { reason: "填写错误" });
    assert.equal(other.body.code, "AREA_FORBIDDEN");
    const both = await Promise.all(
      [1, 2].map(() => call(tokens.clerk, "POST", `/certificates/${serial}/revoke`, { reason: "填写错误" })),
    );
    assert.deepEqual(both.map((r) => r.status).sort(), [200, 409]);
    const revokes = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("action", "=", "certificate.revoke")
      .where("after", "like", `%${serial}%`)
      .execute();
    assert.equal(revokes.length, 1);
    assert.deepEqual(await cli([file]), [1, "refused: NOT_VALID (revoked: 填写错误)"]);
  });

  it("rate-limits the public verification per address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) {
      const url = `/api/v1/certificates/LS33010020261206${String(i).padStart(8, "0")}/verification`;
      statuses.push((await ctx.app.inject({ method: "GET", url, remoteAddress: "10.9.9.9" })).statusCode);
    }
    assert.deepEqual(statuses.slice(0, 30), Array(30).fill(404), "unknown serials: not found");
    assert.deepEqual(statuses.slice(30), Array(10).fill(429), "over 30 a minute from one address: refused");
    // The window follows the server's clock: a minute later the address is heard again.
    const clock = ctx.deps.clock as ReturnType<typeof fixedClock>;
    clock.advance(60_000);
    try {
      const later = await ctx.app.inject({
        method: "GET",
        url: "/api/v1/certificates/LS3301002026120600000041/verification",
        remoteAddress: "10.9.9.9",
      });
      assert.equal(later.statusCode, 404);
    } finally {
      clock.advance(-60_000);
    }
    const elsewhere = await ctx.app.inject({
      method: "GET",
      url: "/api/v1/certificates/LS3301002026120600000001/verification",
      remoteAddress: "10.9.9.10",
    });
    assert.equal(elsewhere.statusCode, 404, "another address is not held back");
  });

  it("dates the temporary certificate and the slip by the area's policy in force", async () => {
    await ctx.deps.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: { ...NATIONAL_DEFAULT_POLICY, temporaryCertificateGraceDays: 10, collectionSlipValidDays: 20 },
    });
    const c = await cardInState(ctx.deps, "active", { name: "赵期限" });
    const loss = await call(tokens.clerk, "POST", `/cards/${c.cardNumber}/formal-loss`, {
      holderIdNumber: c.idNumber,
    });
    const ready = loss.body.replacement.readyDate as string;
    const rows = await ctx.deps.database.db
      .selectFrom("certificates")
      .select(["kind", "valid_until"])
      .where("card_id", "=", (await ctx.deps.cards.cardByNumber(loss.body.replacement.cardNumber)).id)
      .orderBy("kind")
      .execute();
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { kind: "collection_slip", valid_until: addDays(ready, 20) },
        { kind: "temporary_medical", valid_until: addDays(ready, 10) },
      ],
    );
  });
});
