import assert from "node:assert/strict";
import { createHash, randomUUID } from "node:crypto";
import { before, it } from "node:test";
import { forEachDialect } from "../../../test/db.ts";
import { callAs, seedAreas, staffToken, useTestApp } from "../../../test/fixtures.ts";
import { SYSTEM_ACTOR } from "../../shared/auth.ts";
import { CONDITION_CODES, MATERIAL_KINDS } from "./applications.rules.ts";

const PDF = Buffer.from("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n");
const PNG = Buffer.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
]);
const material = (kind: string) =>
  kind === "card_face_design"
    ? { fileName: "卡面.png", contentType: "image/png", contentBase64: PNG.toString("base64") }
    : kind === "card_file_structures"
      ? {
          fileName: "结构.json",
          contentType: "application/json",
          contentBase64: Buffer.from('{"EF05":["01"],"EF0D":["local"]}').toString("base64"),
        }
      : { fileName: `${kind}.pdf`, contentType: "application/pdf", contentBase64: PDF.toString("base64") };
const allMet = Object.fromEntries(CONDITION_CODES.map((c) => [c, { met: true, evidence: `见附件：${c}` }]));

forEachDialect("applications to issue cards (Measures Art. 6, 7): city → province → ministry", (dialect) => {
  const ctx = useTestApp(dialect);
  const t = {} as Record<"ministry" | "province" | "wz" | "nb" | "jsProvince", string>;
  before(async () => {
    await seedAreas(ctx.deps);
    t.ministry = await staffToken(ctx.deps, "mohrss", "ministry_admin", "000000");
    t.province = await staffToken(ctx.deps, "zj.apps", "province_admin", "330000");
    t.jsProvince = await staffToken(ctx.deps, "js.apps", "province_admin", "320000");
    t.nb = await staffToken(ctx.deps, "nb.apps", "city_admin", "330200");
  });
  const as = (who: keyof typeof t) => callAs(ctx.app, t[who]);

  it("a province registers a city without an issuer ID (it cannot produce cards); the city registers its county and the county's outlet", async () => {
    const wz = await as("province")("POST", "/areas", { code: "330300" });
    assert.deepEqual(
      [wz.status, wz.body.issuerId, wz.body.level],
      [201, null, "city"],
      JSON.stringify(wz.body),
    );
    const given = await as("province")("POST", "/areas", { code: "330400", issuerId: "3304000001" });
    assert.deepEqual(
      [given.status, given.body.code],
      [403, "FORBIDDEN"],
      "only the ministry gives issuer IDs",
    );
    const other = await as("province")("POST", "/areas", { code: "320200" });
    assert.equal(other.status, 403, "another province's city");
    t.wz = await staffToken(ctx.deps, "wz.apps", "city_admin", "330300");
    const county = await as("wz")("POST", "/areas", { code: "330302" });
    assert.deepEqual([county.status, county.body.level, county.body.parentCode], [201, "county", "330300"]);
    const countyIssuer = await as("ministry")("POST", "/areas", { code: "330303", issuerId: "3303030001" });
    assert.deepEqual([countyIssuer.status, countyIssuer.body.code], [400, "VALIDATION_FAILED"]);
    const outlet = await as("wz")("POST", "/areas/330302/outlets", {
      name: "鹿城区社保卡服务网点",
      kind: "service_outlet",
      address: "温州市鹿城区",
    });
    assert.equal(outlet.status, 201, JSON.stringify(outlet.body));
    await assert.rejects(ctx.deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330300" }), {
      code: "AREA_NOT_ISSUING",
    });
  });

  it("the city files the six materials and five conditions; the province returns it with a reason, then forwards it; the ministry returns it, then approves it and allocates the issuer ID; the city sees each step", async () => {
    const opened = await as("wz")("POST", "/area-applications", { areaCode: "330300" });
    assert.equal(opened.status, 201, JSON.stringify(opened.body));
    const id = opened.body.applicationId;
    assert.deepEqual(
      [opened.body.state, opened.body.missing.materials.length, opened.body.missing.conditions.length],
      ["draft", 6, 5],
    );
    const twice = await as("wz")("POST", "/area-applications", { areaCode: "330300" });
    assert.deepEqual([twice.status, twice.body.code], [409, "AREA_APPLICATION_EXISTS"]);
    const early = await as("wz")("POST", `/area-applications/${id}/file`);
    assert.deepEqual([early.status, early.body.code], [422, "AREA_APPLICATION_INCOMPLETE"]);
    assert.match(early.body.message, /registration_form/);

    const wrong = await as("wz")("PUT", `/area-applications/${id}/materials/registration_form`, {
      fileName: "表.pdf",
      contentType: "application/pdf",
      contentBase64: PNG.toString("base64"),
    });
    assert.deepEqual(
      [wrong.status, wrong.body.code, wrong.body.details.problem],
      [400, "MATERIAL_INVALID", "content_mismatch"],
    );
    for (const kind of MATERIAL_KINDS) {
      const put = await as("wz")("PUT", `/area-applications/${id}/materials/${kind}`, material(kind));
      assert.equal(put.status, 200, `${kind}: ${JSON.stringify(put.body)}`);
    }
    const back = await ctx.app.inject({
      method: "GET",
      url: `/api/v1/area-applications/${id}/materials/card_face_design`,
      headers: { authorization: `Bearer ${t.province}` },
    });
    assert.deepEqual(
      [back.statusCode, back.headers["content-type"], back.headers["x-content-type-options"]],
      [200, "image/png", "nosniff"],
    );
    assert.match(String(back.headers["content-disposition"]), /^attachment;/);
    assert.deepEqual(back.rawPayload, PNG, "the reviewer gets the file as uploaded");
    const conditions = await as("wz")("PUT", `/area-applications/${id}/conditions`, { conditions: allMet });
    assert.deepEqual(conditions.body.missing, { materials: [], conditions: [] });
    const full = await as("wz")("GET", `/area-applications/${id}`);
    const sha = full.body.materials.find((m: { kind: string }) => m.kind === "card_face_design").sha256;
    assert.equal(sha, createHash("sha256").update(PNG).digest("hex"));

    const filed = await as("wz")("POST", `/area-applications/${id}/file`);
    assert.deepEqual([filed.status, filed.body.state], [200, "at_province"]);
    const locked = await as("wz")(
      "PUT",
      `/area-applications/${id}/materials/other_materials`,
      material("other_materials"),
    );
    assert.deepEqual(
      [locked.status, locked.body.code],
      [409, "AREA_APPLICATION_STATE"],
      "filed: not editable",
    );
    const jumped = await as("ministry")("POST", `/area-applications/${id}/decision`, { decision: "approve" });
    assert.deepEqual(
      [jumped.status, jumped.body.code],
      [409, "AREA_APPLICATION_STATE"],
      "the province first",
    );
    const notTheirs = await as("jsProvince")("POST", `/area-applications/${id}/review`, {
      decision: "forward",
    });
    assert.equal(notTheirs.status, 404, "another province does not see it");
    const cityReviews = await as("wz")("POST", `/area-applications/${id}/review`, { decision: "forward" });
    assert.equal(cityReviews.status, 403, "a city does not review");

    const returned = await as("province")("POST", `/area-applications/${id}/review`, {
      decision: "return",
      reason: "应急预案缺少数据备份演练记录",
    });
    assert.deepEqual([returned.status, returned.body.state], [200, "returned"]);
    const seen = await as("wz")("GET", `/area-applications/${id}`);
    assert.equal(seen.body.steps.at(-1).reason, "应急预案缺少数据备份演练记录", "the applicant sees why");
    await as("wz")(
      "PUT",
      `/area-applications/${id}/materials/administration_measures`,
      material("administration_measures"),
    );
    assert.equal((await as("wz")("POST", `/area-applications/${id}/file`)).body.state, "at_province");
    assert.equal(
      (await as("province")("POST", `/area-applications/${id}/review`, { decision: "forward" })).body.state,
      "at_ministry",
    );
    const ministryReturns = await as("ministry")("POST", `/area-applications/${id}/decision`, {
      decision: "return",
      reason: "卡面样式须按统一要求标注芯片位置",
    });
    assert.equal(ministryReturns.body.state, "returned");
    await as("wz")("POST", `/area-applications/${id}/file`);
    await as("province")("POST", `/area-applications/${id}/review`, { decision: "forward" });

    // Two approvals at once: one is taken, one issuer ID, one record.
    const both = await Promise.all(
      [1, 2].map(() => as("ministry")("POST", `/area-applications/${id}/decision`, { decision: "approve" })),
    );
    const ok = both.filter((r) => r.status === 200);
    assert.equal(ok.length, 1, JSON.stringify(both.map((r) => r.body)));
    assert.ok(both.every((r) => r.status === 200 || r.status === 409));
    assert.deepEqual([ok[0].body.state, ok[0].body.issuerId], ["approved", "3303000001"]);
    const area = await as("wz")("GET", "/areas/330300");
    assert.equal(area.body.issuerId, "3303000001", "the area may issue cards now");
    const records = await ctx.deps.database.db
      .selectFrom("audit_log")
      .select("action")
      .where("subject_id", "=", id)
      .execute();
    assert.equal(records.filter((r) => r.action === "area.application.approve").length, 1);
    assert.deepEqual(
      (await as("wz")("GET", `/area-applications/${id}`)).body.steps
        .map((s: { action: string }) => s.action)
        .filter((a: string) => a !== "material" && a !== "conditions"),
      ["file", "return", "file", "forward", "return", "file", "forward", "approve"],
    );
    const mine = await as("wz")("GET", "/area-applications");
    assert.deepEqual(
      mine.body.map((a: { applicationId: string }) => a.applicationId),
      [id],
    );
    assert.deepEqual((await as("nb")("GET", "/area-applications")).body, [], "another city sees none of it");
    assert.equal((await as("nb")("GET", `/area-applications/${id}`)).status, 404);
    const again = await as("wz")("POST", "/area-applications", { areaCode: "330300" });
    assert.equal(again.body.code, "AREA_ALREADY_ISSUING");
  });

  it("refuses what a careless or hostile client sends: unknown kinds, non-base64, NUL bytes, a huge reason, unknown ids, an issuing area, a county", async () => {
    const nbApp = await as("nb")("POST", "/area-applications", { areaCode: "330200" });
    assert.deepEqual([nbApp.status, nbApp.body.code], [409, "AREA_ALREADY_ISSUING"]);
    await as("province")("POST", "/areas", { code: "330500" });
    const hu = await staffToken(ctx.deps, "hu.apps", "city_admin", "330500");
    const h = callAs(ctx.app, hu);
    const id = (await h("POST", "/area-applications", { areaCode: "330500" })).body.applicationId;
    const cases: [string, string, object, number][] = [
      ["PUT", `/area-applications/${id}/materials/passport`, material("other_materials"), 400],
      [
        "PUT",
        `/area-applications/${id}/materials/other_materials`,
        { ...material("other_materials"), contentBase64: "%%%not base64" },
        400,
      ],
      [
        "PUT",
        `/area-applications/${id}/materials/other_materials`,
        { ...material("other_materials"), fileName: "a\u0000.pdf" },
        400,
      ],
      [
        "PUT",
        `/area-applications/${id}/materials/other_materials`,
        { ...material("other_materials"), contentType: "application/x-msdownload" },
        400,
      ],
      [
        "PUT",
        `/area-applications/${id}/conditions`,
        { conditions: { business_system: { met: "yes", evidence: "" } } },
        400,
      ],
      [
        "PUT",
        `/area-applications/${id}/conditions`,
        { conditions: { business_system: { met: true, evidence: "a\u0000b" } } },
        400,
      ],
      [
        "PUT",
        `/area-applications/${id}/conditions`,
        { conditions: { lottery: { met: true, evidence: "x" } } },
        400,
      ],
      ["POST", `/area-applications/${randomUUID()}/file`, {}, 404],
      ["POST", "/area-applications/not-a-uuid/file", {}, 400],
      ["POST", "/area-applications", { areaCode: "330502" }, 404],
    ];
    for (const [method, url, body, status] of cases) {
      const r = await h(method as "PUT", url, body);
      assert.equal(
        r.status,
        status,
        `${method} ${url} ${JSON.stringify(body).slice(0, 80)}: ${JSON.stringify(r.body)}`,
      );
      assert.ok(r.body.code && r.body.message);
    }
    const county = await as("province")("POST", "/areas", { code: "330502" });
    assert.deepEqual(
      [county.status, county.body.level],
      [201, "county"],
      "the province may register its counties too",
    );
    const countyApp = await as("province")("POST", "/area-applications", { areaCode: "330502" });
    assert.deepEqual(
      [countyApp.status, countyApp.body.code],
      [404, "AREA_NOT_FOUND"],
      "a county does not apply: its city issues",
    );
    const longReason = await as("ministry")("POST", `/area-applications/${id}/decision`, {
      decision: "return",
      reason: "x".repeat(5000),
    });
    assert.equal(longReason.status, 400);
    const nulReason = await as("ministry")("POST", `/area-applications/${id}/decision`, {
      decision: "return",
      reason: "退\u0000回",
    });
    assert.equal(nulReason.status, 400);
    const noReason = await as("ministry")("POST", `/area-applications/${id}/decision`, {
      decision: "return",
    });
    assert.equal(noReason.status, 400, "a return needs its reason");
  });
});
