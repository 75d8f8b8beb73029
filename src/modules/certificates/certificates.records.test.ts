import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, cardInState, seedAreas, staffToken, useTestApp } from "../../../test/fixtures.ts";
import { poppler, qrOfPdf, screenshotOfPdf, textOfPdf } from "../../../test/pdf.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { NATIONAL_DEFAULT_POLICY } from "../areas/areas.rules.ts";
import { initialPin } from "../credentials/pin.rules.ts";
import { verifyQr } from "./certificates.verify.ts";

forEachDialect(
  "certificates on request: rights record, enrolment certificate, application form",
  (dialect) => {
    const ctx = useTestApp(dialect);
    const tokens = {} as { clerk: string; ningbo: string };
    before(async () => {
      await seedAreas(ctx.deps);
      tokens.clerk = await staffToken(ctx.deps, "rec.clerk", "outlet_clerk", "330100");
      tokens.ningbo = await staffToken(ctx.deps, "rec.nb", "outlet_clerk", "330200");
    });
    const call = (token: string, method: "GET" | "POST", url: string, payload?: object) =>
      callAs(ctx.app, token)(method, url, payload);
    const pdf = async (url: string, token: string) => {
      const res = await ctx.app.inject({ method: "GET", url, headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers["content-type"], "application/pdf");
      return res.rawPayload;
    };

    /** A Hangzhou holder in employee medical insurance since August, who paid October only. */
    async function insured(name: string) {
      const c = await cardInState(ctx.deps, "active", { name });
      await ctx.deps.enrolment.enrol(SYSTEM_ACTOR, {
        idNumber: c.idNumber,
        scheme: "employee_medical",
        areaCode: "330106",
        startDate: "2026-08-01",
      });
      const paid = await call(tokens.clerk, "POST", "/contributions", {
        payer: "self",
        idNumber: c.idNumber,
        month: "2026-10",
        gradePercent: 100,
      });
      assert.equal(paid.status, 201, JSON.stringify(paid.body));
      const person = await ctx.deps.persons.findByIdNumber(SYSTEM_ACTOR, c.idNumber);
      return { ...c, personId: person.id };
    }

    it("a clerk issues the rights record, the enrolment certificate and the application form: Chinese PDFs with the facts, a signed QR, audited", {
      skip: poppler ? undefined : "poppler-utils missing",
    }, async () => {
      const p = await insured("周权益");
      const issue = (body: object, token = tokens.clerk, id = p.personId) =>
        call(token, "POST", `/persons/${id}/certificates`, body);
      const keys = {
        "330100": (await ctx.app.inject({ method: "GET", url: "/api/v1/certificate-keys/330100" })).json()
          .publicKey,
      };

      const record = await issue({ kind: "rights_record" });
      assert.equal(record.status, 201, JSON.stringify(record.body));
      assert.match(record.body.serial, /^QY330100\d{16}$/);
      assert.equal(record.body.validUntil, "2027-02-20", "90 days by the national policy");
      const recordPdf = await pdf(`/api/v1/certificates/${record.body.serial}/pdf`, tokens.clerk);
      const text = textOfPdf(recordPdf);
      for (const words of [
        "个人权益记录",
        "周权益",
        "职工基本医疗保险",
        "浙江省杭州市西湖区",
        "缴费记录（按年度）",
        "10月",
        "8–9月",
        "医保个人账户（2026 年度）",
        "浙江省杭州市人力资源和社会保障局",
      ])
        assert.ok(text.includes(words), `the rights record says ${words}:\n${text}`);
      assert.ok(!text.includes(p.idNumber), "the ID number masked");
      const checked = verifyQr(qrOfPdf(recordPdf), keys);
      assert.ok(checked.ok && checked.claims.k === "rights_record", JSON.stringify(checked));
      const english = textOfPdf(
        await pdf(`/api/v1/certificates/${record.body.serial}/pdf?lang=en`, tokens.clerk),
      );
      assert.match(english, /Personal rights record[\s\S]*Contributions by year[\s\S]*Aug–Sep/);
      screenshotOfPdf(recordPdf, "rights-record");

      const certificate = await issue({
        kind: "enrolment_certificate",
        coordinationArea: "330106",
        purpose: "子女入学",
      });
      assert.equal(certificate.status, 201, JSON.stringify(certificate.body));
      assert.equal(certificate.body.areaCode, "330100", "a county's enrolment is certified by its city");
      const certificatePdf = await pdf(`/api/v1/certificates/${certificate.body.serial}/pdf`, tokens.clerk);
      const certText = textOfPdf(certificatePdf);
      for (const words of ["社会保险参保证明", "子女入学", "浙江省杭州市", "职工基本医疗保险", "兹证明"])
        assert.ok(certText.includes(words), `the enrolment certificate says ${words}:\n${certText}`);
      screenshotOfPdf(certificatePdf, "enrolment-certificate");
      const elsewhere = await issue({
        kind: "enrolment_certificate",
        coordinationArea: "330200",
        purpose: "购房",
      });
      assert.deepEqual([elsewhere.status, elsewhere.body.code], [404, "ENROLMENT_NOT_FOUND"]);
      const noPurpose = await issue({ kind: "enrolment_certificate", coordinationArea: "330100" });
      assert.deepEqual([noPurpose.status, noPurpose.body.code], [400, "VALIDATION_FAILED"]);

      const form = await issue({ kind: "application_form" });
      assert.equal(form.status, 201, JSON.stringify(form.body));
      assert.equal(form.body.validUntil, null);
      const formPdf = await pdf(`/api/v1/certificates/${form.body.serial}/pdf`, tokens.clerk);
      const formText = textOfPdf(formPdf);
      for (const words of ["社会保障卡申领登记表", p.cardNumber, "首次申领", "申领人签字"])
        assert.ok(formText.includes(words), `the application form says ${words}:\n${formText}`);
      screenshotOfPdf(formPdf, "application-form");
      assert.ok(existsSync("test-output/screenshots/certificates/application-form.png"));

      // A person the caller may not see is refused like the person; bad input is refused clearly.
      const other = await issue({ kind: "rights_record" }, tokens.ningbo);
      assert.deepEqual([other.status, other.body.code], [403, "AREA_FORBIDDEN"]);
      const nobody = await issue(
        { kind: "rights_record" },
        tokens.clerk,
        "00000000-0000-4000-8000-000000000000",
      );
      assert.deepEqual([nobody.status, nobody.body.code], [404, "PERSON_NOT_FOUND"]);
      for (const body of [
        { kind: "temporary_medical" },
        { kind: "rights_record", purpose: "x".repeat(61) },
        { kind: "enrolment_certificate", coordinationArea: "33010", purpose: "子女入学" },
        { kind: "rights_record", extra: 1 },
        { kind: "rights_record\u0000" },
      ]) {
        const bad = await issue(body);
        assert.deepEqual([bad.status, bad.body.code], [400, "VALIDATION_FAILED"], JSON.stringify(body));
      }
      const audited = await ctx.deps.database.db
        .selectFrom("audit_log")
        .select("action")
        .where("action", "in", ["certificate.issue", "certificate.print"])
        .where("after", "like", `%${record.body.serial}%`)
        .execute();
      assert.deepEqual(audited.map((a) => a.action).sort(), [
        "certificate.issue",
        "certificate.print",
        "certificate.print",
      ]);
    });

    it("a holder downloads their own rights record and enrolment certificate in the hall, never another's", {
      skip: poppler ? undefined : "poppler-utils missing",
    }, async () => {
      const login = async (c: { idNumber: string; cardNumber: string }) => {
        const res = await ctx.app.inject({
          method: "POST",
          url: "/api/v1/holder/login",
          payload: { idNumber: c.idNumber, pin: initialPin(c.cardNumber, NATIONAL_DEFAULT_POLICY) },
        });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().token as string;
      };
      const me = await insured("吴大厅");
      const token = await login(me);
      const mine = await call(token, "POST", "/holder/certificates", {
        kind: "enrolment_certificate",
        coordinationArea: "330100",
        purpose: "购房资格",
      });
      assert.equal(mine.status, 201, JSON.stringify(mine.body));
      const text = textOfPdf(await pdf(`/api/v1/holder/certificates/${mine.body.serial}/pdf`, token));
      assert.ok(text.includes("购房资格") && text.includes("吴大厅"), text);
      const record = await call(token, "POST", "/holder/certificates", { kind: "rights_record" });
      assert.equal(record.status, 201);
      const form = await call(token, "POST", "/holder/certificates", { kind: "application_form" });
      assert.equal(form.status, 400, "the application form is signed at the counter");

      const stranger = await login(await insured("郑旁人"));
      const theirs = await ctx.app.inject({
        method: "GET",
        url: `/api/v1/holder/certificates/${mine.body.serial}/pdf`,
        headers: { authorization: `Bearer ${stranger}` },
      });
      assert.deepEqual([theirs.statusCode, theirs.json().code], [404, "CERTIFICATE_NOT_FOUND"]);
      const downloads = await ctx.deps.database.db
        .selectFrom("audit_log")
        .select(["action", "actor_id"])
        .where("action", "=", "certificate.download")
        .where("after", "like", `%${mine.body.serial}%`)
        .execute();
      assert.equal(downloads.length, 1, "the download is audited");
    });
  },
);
