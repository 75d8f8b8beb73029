import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { type AddressInfo, connect } from "node:net";
import { Writable } from "node:stream";
import { before, it } from "node:test";
import { sql } from "kysely";
import { buildApp } from "../src/app.ts";
import { loggerOptions } from "../src/http/logging.ts";
import { ERROR_CODES } from "../src/shared/errors.ts";
import { HTTP_STATUS } from "../src/shared/http-errors.ts";
import { MESSAGES } from "../src/shared/messages.ts";
import { FIELD_RULES, summaryKnown } from "../src/shared/validation-messages.ts";
import { forEachDialect } from "./db.ts";
import { createTestDeps, newIdNumber, seedAreas, staffToken, useTestApp } from "./fixtures.ts";

const logLines: string[] = [];
const logStream = new Writable({
  write(chunk, _enc, done) {
    logLines.push(String(chunk));
    done();
  },
});

it("every error code has a status and messages in both languages", () => {
  for (const code of ERROR_CODES) {
    assert.ok(HTTP_STATUS[code] >= 400, code);
    assert.ok(MESSAGES[code].zh && MESSAGES[code].en, code);
  }
});

forEachDialect("readiness", (dialect) => {
  it("answers /readyz with 503 when the database is gone, while /healthz stays up", async () => {
    const { deps, database } = await createTestDeps(dialect);
    const app = await buildApp(deps);
    try {
      assert.equal((await app.inject({ url: "/readyz" })).statusCode, 200);
      // A dropped append-only trigger makes the server not ready until it is put back.
      await sql
        .raw(
          dialect === "sqlite"
            ? "drop trigger audit_log_no_delete"
            : "alter table audit_log disable trigger audit_log_no_update",
        )
        .execute(database.db);
      const noTrigger = await app.inject({ url: "/readyz" });
      assert.deepEqual([noTrigger.statusCode, noTrigger.json().auditTriggers], [503, "missing"]);
      await deps.audit.guardAppendOnly();
      assert.equal((await app.inject({ url: "/readyz" })).json().auditTriggers, "intact");
      await database.close();
      const res = await app.inject({ url: "/readyz" });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().database, "unreachable");
      assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

forEachDialect("HTTP behaviour", (dialect) => {
  const ctx = useTestApp(dialect, { logger: { ...(loggerOptions("info") as object), stream: logStream } });
  let token: string;
  const auth = () => ({ authorization: `Bearer ${token}` });

  before(async () => {
    await seedAreas(ctx.deps);
    token = await staffToken(ctx.deps, "hz.clerk", "outlet_clerk", "330100");
  });

  it("tells the pages the server's time and today's China date, from the server's clock", async () => {
    ctx.clock.set("2026-12-31T16:30:00Z");
    assert.deepEqual((await ctx.app.inject({ url: "/api/v1/time" })).json(), {
      now: "2026-12-31T16:30:00.000Z",
      today: "2027-01-01",
      timeZone: "Asia/Shanghai",
    });
    ctx.clock.set("2026-11-22T02:00:00Z");
  });

  it("tells a principal the actions the permission matrix gives it on its channel (the web menu reads them)", async () => {
    const me = (await ctx.app.inject({ url: "/api/v1/auth/me", headers: auth() })).json();
    assert.ok(me.actions.includes("cards.counter"), "an outlet clerk does the counter's card business");
    assert.ok(me.actions.includes("credentials.unlockOrReset"));
    assert.ok(!me.actions.includes("medical.settle"), "only institutions settle");
    assert.ok(!me.actions.includes("staff.manage"), "only administrators manage staff");
    const pharmacy = await staffToken(ctx.deps, "hz.pharmacy.me", "pharmacy_operator", "330100");
    const theirs = (
      await ctx.app.inject({ url: "/api/v1/auth/me", headers: { authorization: `Bearer ${pharmacy}` } })
    ).json();
    assert.ok(theirs.actions.includes("medical.settle"));
    assert.ok(!theirs.actions.includes("cards.counter"), "a pharmacy is not an outlet");
  });

  it("serves /healthz, /readyz and the OpenAPI document", async () => {
    assert.deepEqual((await ctx.app.inject({ url: "/healthz" })).json(), { status: "ok" });
    const ready = await ctx.app.inject({ url: "/readyz" });
    assert.equal(ready.statusCode, 200);
    assert.deepEqual(ready.json(), {
      status: "ready",
      database: "reachable",
      dialect,
      pendingMigrations: [],
      auditTriggers: "intact",
      workers: { serving: 1, configured: 1 },
      pid: process.pid,
    });
    const doc = (await ctx.app.inject({ url: "/docs/json" })).json();
    assert.equal(doc.openapi, "3.0.3");
    assert.ok(doc.paths["/api/v1/persons"].post.requestBody);
    assert.ok(doc.paths["/api/v1/areas/{code}/policy"].get);
    assert.equal((await ctx.app.inject({ url: "/docs" })).statusCode, 200);
  });

  it("registers a person over HTTP and answers a duplicate with PERSON_EXISTS", async () => {
    const idNumber = newIdNumber();
    const body = { idNumber, name: "张三", ethnicity: "01", areaCode: "330100", phone: "13800000001" };
    const created = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: auth(),
      payload: body,
    });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().idNumberMasked, `${idNumber.slice(0, 3)}***********${idNumber.slice(-4)}`);
    const dup = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: auth(),
      payload: body,
    });
    assert.equal(dup.statusCode, 409);
    assert.deepEqual(dup.json(), { code: "PERSON_EXISTS", message: "该公民身份号码已登记" });
    const found = await ctx.app.inject({ url: `/api/v1/persons?idNumber=${idNumber}`, headers: auth() });
    assert.equal(found.statusCode, 200);
    assert.equal(found.json().name, "张三");
  });

  it("answers an invalid ID number with INVALID_ID_NUMBER and the wrong part, in Chinese or English", async () => {
    const good = newIdNumber();
    const bad = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
    const zh = await ctx.app.inject({ url: `/api/v1/persons?idNumber=${bad}`, headers: auth() });
    assert.equal(zh.statusCode, 400);
    assert.deepEqual(zh.json(), {
      code: "INVALID_ID_NUMBER",
      message: "公民身份号码无效：校验码不正确",
      details: { reason: "check" },
    });
    assert.equal(zh.headers["content-language"], "zh-CN");
    const en = await ctx.app.inject({
      url: `/api/v1/persons?idNumber=${newIdNumber("999999")}`,
      headers: { ...auth(), "accept-language": "en-US,en;q=0.9,zh;q=0.5" },
    });
    assert.deepEqual(en.json(), {
      code: "INVALID_ID_NUMBER",
      message: "Invalid citizen ID number: the first 6 digits are not an administrative division code",
      details: { reason: "region" },
    });
  });

  it("turns malformed JSON, wrong types, unknown fields, big bodies and odd content types into 4xx with a code", async () => {
    const post = (
      payload: string,
      headers: Record<string, string> = { "content-type": "application/json" },
    ) =>
      ctx.app.inject({ method: "POST", url: "/api/v1/persons", headers: { ...auth(), ...headers }, payload });
    const malformed = await post('{"idNumber": ');
    assert.equal(malformed.statusCode, 400);
    assert.equal(malformed.json().code, "MALFORMED_JSON");
    const empty = await post("");
    assert.equal(empty.statusCode, 400);
    assert.equal(empty.json().code, "MALFORMED_JSON");
    const wrongType = await post(
      JSON.stringify({ idNumber: 123, name: "x", ethnicity: "01", areaCode: "330100" }),
    );
    assert.equal(wrongType.statusCode, 400);
    assert.equal(wrongType.json().code, "VALIDATION_FAILED");
    assert.equal(wrongType.json().details.issues[0].path, "idNumber");
    const unknown = await post(
      JSON.stringify({
        idNumber: newIdNumber(),
        name: "x",
        ethnicity: "01",
        areaCode: "330100",
        admin: true,
      }),
    );
    assert.equal(unknown.statusCode, 400);
    assert.deepEqual(unknown.json().details.issues[0].unknownKeys, ["admin"]);
    const badEthnicity = await post(
      JSON.stringify({ idNumber: newIdNumber(), name: "x", ethnicity: "77", areaCode: "330100" }),
    );
    assert.equal(badEthnicity.json().code, "VALIDATION_FAILED");
    const big = await post(JSON.stringify({ idNumber: "x".repeat(100 * 1024) }));
    assert.equal(big.statusCode, 413);
    assert.equal(big.json().code, "PAYLOAD_TOO_LARGE");
    const xml = await post("<person/>", { "content-type": "application/xml" });
    assert.equal(xml.statusCode, 415);
    assert.equal(xml.json().code, "UNSUPPORTED_MEDIA_TYPE");
    const proto = await post('{"__proto__": {"x": 1}, "idNumber": "1"}');
    assert.equal(proto.statusCode, 400);
    const route = await ctx.app.inject({ url: "/api/v1/nothing-here" });
    assert.equal(route.statusCode, 404);
    assert.equal(route.json().code, "ROUTE_NOT_FOUND");
    const badUuid = await ctx.app.inject({ url: "/api/v1/persons/not-a-uuid", headers: auth() });
    assert.equal(badUuid.statusCode, 400);
  });

  it("echoes or assigns a request id", async () => {
    const res = await ctx.app.inject({ url: "/healthz", headers: { "x-request-id": "req-abc-123" } });
    assert.equal(res.headers["x-request-id"], "req-abc-123");
    const fresh = await ctx.app.inject({ url: "/healthz" });
    assert.match(String(fresh.headers["x-request-id"]), /^[0-9a-f-]{36}$/);
  });

  it("answers 422 REFERENCE_NOT_FOUND for an area code no area has, and writes nothing", async () => {
    const idNumber = newIdNumber("110101");
    const r = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: auth(),
      payload: { idNumber, name: "外省人", ethnicity: "01", areaCode: "110101" },
    });
    assert.ok([403, 404, 422].includes(r.statusCode), r.body);
    assert.notEqual(r.json().code, "INTERNAL_ERROR");
    const minister = await staffToken(ctx.deps, `min.${dialect}`, "ministry_admin", "000000");
    const m = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: { authorization: `Bearer ${minister}` },
      payload: { idNumber, name: "外省人", ethnicity: "01", areaCode: "110101" },
    });
    assert.deepEqual([m.statusCode, m.json().code], [422, "REFERENCE_NOT_FOUND"], m.body);
    if (dialect === "postgres") assert.equal(m.json().details.field, "areaCode");
    assert.match(m.json().message, /不存在/);
    const found = await ctx.app.inject({
      url: `/api/v1/persons?idNumber=${idNumber}`,
      headers: { authorization: `Bearer ${minister}` },
    });
    assert.equal(found.statusCode, 404, "nothing half-written");
  });

  it("an empty ID number is INVALID_ID_NUMBER with the part, like any other bad one", async () => {
    const r = await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: auth(),
      payload: { idNumber: "", name: "某人", ethnicity: "01", areaCode: "330100" },
    });
    assert.deepEqual(
      [r.statusCode, r.json().code, r.json().details?.reason],
      [400, "INVALID_ID_NUMBER", "length"],
      r.body,
    );
    assert.match(r.json().message, /18 位/);
  });

  it("refuses impossible dates everywhere with VALIDATION_FAILED (one date schema checks the calendar)", async () => {
    const admin = await staffToken(ctx.deps, `hz.admin.${dialect}`, "city_admin", "330100");
    const as = { authorization: `Bearer ${admin}` };
    const answers = [
      await ctx.app.inject({
        method: "PUT",
        url: "/api/v1/areas/330100/calendar/2026-02-31",
        headers: as,
        payload: { kind: "holiday", name: "x" },
      }),
      await ctx.app.inject({ url: "/api/v1/areas/330100/policy?date=2026-13-45", headers: as }),
      await ctx.app.inject({ url: "/api/v1/areas/330100/policy?date=0000-00-00", headers: as }),
    ];
    for (const r of answers)
      assert.deepEqual([r.statusCode, r.json().code], [400, "VALIDATION_FAILED"], r.body);
    const leap = await ctx.app.inject({ url: "/api/v1/areas/330100/policy?date=2028-02-29", headers: as });
    assert.equal(leap.statusCode, 200, "a leap day is a day");
  });

  it("words validation findings in the caller's language: Chinese throughout, English on request", async () => {
    const admin = await staffToken(ctx.deps, `words.admin.${dialect}`, "ministry_admin", "000000");
    const zh = (url: string, method: "GET" | "POST" = "GET", payload?: object) =>
      ctx.app.inject({
        method,
        url,
        headers: { authorization: `Bearer ${admin}` },
        ...(payload ? { payload } : {}),
      });
    const cases = [
      await zh("/api/v1/areas/33010x/policy"),
      await zh("/api/v1/persons", "POST", { name: 7, ethnicity: "01", areaCode: "330100", admin: true }),
      await zh("/api/v1/persons", "POST", {
        idNumber: "x".repeat(40),
        name: "x",
        ethnicity: "01",
        areaCode: "3301",
      }),
      await zh("/api/v1/audit?limit=0"),
    ];
    for (const r of cases) {
      assert.equal(r.json().code, "VALIDATION_FAILED", r.body);
      const text: string = r.json().message;
      // Field names (idNumber, code…) stay as they are; nothing else is English.
      const words = text
        .replace(/\b(idNumber|name|code|areaCode|limit|admin|YYYY-MM-DD)\b/g, "")
        .match(/[A-Za-z]{3,}/g);
      assert.equal(words, null, `English in a Chinese message: ${text}`);
    }
    assert.match(cases[0].json().message, /路径参数\.code：应为 6 位行政区划代码/);
    assert.match(cases[1].json().message, /请求正文\.idNumber：必填/);
    assert.match(cases[1].json().message, /不允许的字段：admin/);
    assert.match(cases[2].json().message, /最多 32 个字符/);
    assert.match(cases[3].json().message, /查询参数\.limit：不能小于 1/);
    const en = await ctx.app.inject({
      url: "/api/v1/areas/33010x/policy",
      headers: { authorization: `Bearer ${admin}`, "accept-language": "en" },
    });
    assert.match(en.json().message, /params\.code: a 6-digit administrative division code/);
  });

  it("every rule a route schema states in its own words has its Chinese wording", () => {
    // The schemas' own messages, from the sources: each needs an entry in FIELD_RULES.
    const sources = execFileSync("grep", ["-rhoE", '\\.(regex|refine)\\([^;]*?, "[^"]+"\\)', "src"], {
      encoding: "utf8",
    });
    const messages = [...sources.matchAll(/, "([^"]+)"\)$/gm)].map((m) => m[1]);
    assert.ok(messages.length >= 5, `found ${messages.length}`);
    for (const m of messages) assert.ok(FIELD_RULES[m], `no Chinese wording for the schema message "${m}"`);
  });

  it("every finding a service writes in a summary has its Chinese wording", () => {
    // The services' summaries and per-field problems, from the sources; `${…}` stands for a value.
    const sources = execFileSync(
      "grep",
      [
        "-rhoE",
        // The services and the use-case files they are assembled from (not the routes' OpenAPI summaries).
        "--include=*.ts",
        "--exclude=*.routes.ts",
        "--exclude=*.test.ts",
        "--exclude=*.permissions.ts",
        "--exclude=*.rules.ts",
        "--exclude=*.repository.ts",
        "--exclude=audit.service.ts",
        '(summary|problem): (`[^`]*`|"[^"]*")',
        "src/modules",
      ],
      {
        encoding: "utf8",
      },
    );
    const found = [...sources.matchAll(/(summary|problem): [`"](.*)[`"]$/gm)]
      .map(([, kind, text]) => [kind, text.replace(/\$\{[^}]*\}/g, "X1")] as const)
      .filter(([, text]) => !text.includes("X1: X1") && text !== "X1");
    assert.ok(found.length >= 25, `found ${found.length}`);
    for (const [kind, text] of found) {
      const summary = kind === "problem" ? `field: ${text}` : text;
      assert.ok(summaryKnown(summary), `no Chinese wording for the ${kind} "${text}"`);
    }
  });

  it("answers errors raised before a route runs in the project's shape, in Chinese, without echoing the URL", async () => {
    await ctx.app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = ctx.app.server.address() as AddressInfo;
    const idNumber = newIdNumber();
    /** One raw HTTP exchange: what the parser sees before Fastify has a request. */
    const raw = (text: string) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const chunks: Buffer[] = [];
        const socket = connect(port, "127.0.0.1", () => socket.end(text));
        socket.on("data", (c) => chunks.push(c));
        // The server closes at once after answering; a reset while we still send is expected.
        socket.on("error", () => {});
        socket.on("close", () => {
          const reply = Buffer.concat(chunks).toString("utf8");
          if (!reply) return reject(new Error("no answer"));
          const [head, ...rest] = reply.split("\r\n\r\n");
          resolve({ status: Number(head.split(" ")[1]), body: rest.join("\r\n\r\n") });
        });
      });
    const cases: [string, number, string][] = [
      [
        `GET /api/v1/time HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`,
        431,
        "HEADERS_TOO_LARGE",
      ],
      ["POST /api/v1/time HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n", 400, "MALFORMED_REQUEST"],
      [
        `GET /api/v1/persons/%zz${idNumber} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        400,
        "MALFORMED_URL",
      ],
      [
        `GET /api/v1/cards/${idNumber}${"a".repeat(200)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
        414,
        "URL_TOO_LONG",
      ],
    ];
    for (const [request, status, code] of cases) {
      const r = await raw(request);
      assert.equal(r.status, status, code);
      const body = JSON.parse(r.body);
      assert.equal(body.code, code);
      assert.equal(body.message, MESSAGES[code as keyof typeof MESSAGES].zh.replace("{limit}", "100"));
      assert.deepEqual(
        Object.keys(body).filter((k) => k !== "details"),
        ["code", "message"],
      );
      assert.ok(!r.body.includes(idNumber), `${code} echoes the URL`);
    }
    const en = await ctx.app.inject({
      url: `/api/v1/cards/${"9".repeat(101)}`,
      headers: { "accept-language": "en" },
    });
    assert.deepEqual([en.statusCode, en.json().code], [414, "URL_TOO_LONG"]);
    assert.match(en.json().message, /too long \(limit 100 characters\)/);
  });

  it("writes JSON logs with request ids and never an ID number, name or token in clear", async () => {
    logLines.length = 0;
    const idNumber = newIdNumber();
    await ctx.app.inject({
      method: "POST",
      url: "/api/v1/persons",
      headers: auth(),
      payload: { idNumber, name: "司马光明", ethnicity: "01", areaCode: "330100" },
    });
    await ctx.app.inject({ url: `/api/v1/persons?idNumber=${idNumber}`, headers: auth() });
    await ctx.app.inject({ url: `/api/v1/nothing/${idNumber}`, headers: auth() });
    // Encoded, padded, lower-case x, inside a mistyped 19-digit run, in the path of a known route.
    const withX = `${idNumber.slice(0, 17)}x`;
    const variants = [
      `/api/v1/persons?idNumber=%20${idNumber}`,
      `/api/v1/persons?idNumber=${encodeURIComponent(` ${idNumber} `)}`,
      `/api/v1/persons?idNumber=${withX}`,
      `/api/v1/persons?idNumber=9${idNumber}`,
      `/api/v1/persons?${idNumber}=1`,
      `/api/v1/cards/${idNumber}`,
      `/api/v1/nothing/%33${idNumber.slice(1)}`,
      `/api/v1/nothing/a${idNumber}b`,
    ];
    for (const url of variants) await ctx.app.inject({ url, headers: auth() });
    const text = logLines.join("");
    assert.ok(logLines.length >= 4);
    const urls = logLines.map((l) => JSON.parse(l).req?.url).filter(Boolean);
    assert.ok(urls.includes("/api/v1/persons?idNumber=***"), "query values are not logged");
    assert.ok(urls.includes("/api/v1/cards/:cardNumber"), "a known route is logged as its pattern");
    assert.ok(urls.includes("/api/v1/nothing/***"), "digits in an unknown path are hidden");
    for (const needle of [idNumber, idNumber.slice(3, 14), withX.slice(3)])
      assert.ok(!text.includes(needle), `ID number in clear in the logs: ${needle}`);
    assert.ok(!text.includes("司马光明"), "name in the logs");
    assert.ok(!text.includes(token), "token in the logs");
    const line = JSON.parse(logLines[0]);
    assert.ok(line.reqId && line.level);
  });
});
