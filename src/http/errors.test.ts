import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, before, describe, it } from "node:test";
import Fastify, { type FastifyInstance } from "fastify";
import { RowsBusy } from "../db/group-commit.ts";
import { installErrorHandling } from "./errors.ts";

/** A real SQLite "database is locked": a second writer with no busy timeout while the first holds the lock. */
function sqliteBusyError(dir: string): unknown {
  const file = join(dir, "busy.db");
  const first = new DatabaseSync(file);
  const second = new DatabaseSync(file);
  try {
    first.exec("PRAGMA journal_mode = WAL; CREATE TABLE t (x); BEGIN IMMEDIATE");
    second.exec("PRAGMA busy_timeout = 0");
    second.exec("BEGIN IMMEDIATE");
  } catch (err) {
    return err;
  } finally {
    first.close();
    second.close();
  }
  throw new Error("the second writer was not refused");
}

describe("errors the database answers for now", () => {
  let app: FastifyInstance;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "sscard-errors-"));
    const busy = sqliteBusyError(dir);
    app = Fastify({ logger: false });
    installErrorHandling(app);
    app.get("/rows-held", async () => {
      throw new RowsBusy();
    });
    app.get("/sqlite-busy", async () => {
      throw busy;
    });
    app.get("/changed-table", async () => {
      // pg's error for a prepared statement whose table a migration changed (see test/prepared.test.ts).
      throw Object.assign(new Error("cached plan must not change result type"), { code: "0A000" });
    });
    app.get("/bug", async () => {
      throw new TypeError("undefined is not a function");
    });
    await app.ready();
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("rows held elsewhere, a busy write lock or a statement to prepare again are 503 DATABASE_UNAVAILABLE with a retry time, in the caller's language", async () => {
    for (const url of ["/rows-held", "/sqlite-busy", "/changed-table"]) {
      const zh = await app.inject({ url, headers: { "accept-language": "zh-CN" } });
      assert.equal(zh.statusCode, 503, url);
      assert.equal(zh.json().code, "DATABASE_UNAVAILABLE");
      assert.equal(zh.json().message, "数据库暂时不可用，请稍后重试");
      assert.equal(zh.headers["retry-after"], "1");
      const en = await app.inject({ url, headers: { "accept-language": "en" } });
      assert.equal(en.json().message, "The database is unavailable; try again shortly");
    }
  });

  it("anything else unexpected stays 500 INTERNAL_ERROR without its message", async () => {
    const r = await app.inject({ url: "/bug" });
    assert.equal(r.statusCode, 500);
    assert.equal(r.json().code, "INTERNAL_ERROR");
    assert.ok(!r.body.includes("undefined is not a function"));
  });
});
