import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe } from "node:test";
import pg from "pg";
import { createDb, type Db, type Dialect } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";

/** The dialects the suite runs on: both unless TEST_DIALECTS narrows it. */
export const DIALECTS = (process.env.TEST_DIALECTS ?? "sqlite,postgres").split(",") as Dialect[];

let counter = 0;
let template: Promise<string> | undefined;

function adminUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (!url)
    throw new Error(
      "TEST_DATABASE_URL is not set and the embedded PostgreSQL did not start (see scripts/test.ts)",
    );
  return url;
}

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Drops a test database. An autovacuum worker may be in it at that moment: a role that is not a
 * superuser cannot end it (42501), so the drop is tried again until the worker has left.
 */
async function dropDatabase(name: string) {
  for (let attempt = 1; ; attempt++) {
    try {
      await admin((c) => c.query(`drop database if exists ${name} with (force)`));
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== "42501" || attempt >= 50) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A migrated template database, made once per test process and cloned for each test. */
function templateDatabase(): Promise<string> {
  template ??= (async () => {
    const name = `sscard_tpl_${process.pid}`;
    await admin(async (c) => {
      await c.query(`drop database if exists ${name}`);
      await c.query(`create database ${name}`);
    });
    const db = createDb(withDatabase(adminUrl(), name), { poolSize: 1 });
    await migrateToLatest(db.db, "postgres");
    await db.close();
    return name;
  })();
  return template;
}

/**
 * A fresh, migrated database: a new SQLite file, or a PostgreSQL database cloned from the migrated
 * template. Closing it removes it.
 */
export async function createTestDb(dialect: Dialect): Promise<Db & { url: string }> {
  counter += 1;
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "sscard-test-"));
    const url = `sqlite:${join(dir, "test.db")}`;
    const db = createDb(url);
    await migrateToLatest(db.db, "sqlite");
    return {
      ...db,
      url,
      close: async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const tpl = await templateDatabase();
  const name = `sscard_t_${process.pid}_${counter}`;
  await admin((c) => c.query(`create database ${name} template ${tpl}`));
  const url = withDatabase(adminUrl(), name);
  const db = createDb(url, { poolSize: 20 });
  return {
    ...db,
    url,
    close: async () => {
      await db.close();
      await dropDatabase(name);
    },
  };
}

/** Runs the same tests once per dialect, each in its own describe block. */
export function forEachDialect(name: string, body: (dialect: Dialect) => void): void {
  for (const dialect of DIALECTS) describe(`${name} [${dialect}]`, () => body(dialect));
}
