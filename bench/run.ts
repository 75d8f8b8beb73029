import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { createDb } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { createDeps } from "../src/deps.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";

/*
 * npm run bench: person lookups by ID number through HTTP with an authenticated caller, against a
 * bare Fastify route in the same run, and `audit verify` over 100,000 records. Prints figures.
 */

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PERSONS = 2000;
const AUDIT_RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 100_000);

const dir = mkdtempSync(join(tmpdir(), "sscard-bench-"));
const dbUrl = `sqlite:${join(dir, "bench.db")}`;
const keys = {
  SSCARD_DATA_KEY: randomBytes(32).toString("hex"),
  SSCARD_INDEX_KEY: randomBytes(32).toString("hex"),
  SSCARD_TOKEN_KEY: randomBytes(32).toString("hex"),
};
const secrets = {
  dataKey: Buffer.from(keys.SSCARD_DATA_KEY, "hex"),
  indexKey: Buffer.from(keys.SSCARD_INDEX_KEY, "hex"),
  tokenKey: Buffer.from(keys.SSCARD_TOKEN_KEY, "hex"),
};

function start(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [script, ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
}

async function load(url: string, opts: Partial<autocannon.Options>): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...opts });
}

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

async function main() {
  console.log(
    `sscard bench: ${DURATION}s per run, ${CONNECTIONS} connections, load generator and server on the same ${(await import("node:os")).cpus().length} cores`,
  );

  // Data: two areas, a clerk with a session, persons to look up.
  const database = createDb(dbUrl);
  await migrateToLatest(database.db, database.dialect);
  const deps = createDeps(database, {
    secrets,
    sessionTtlMinutes: 480,
    sessionIdleMinutes: 30,
    authCacheSeconds: 5,
  });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330000", issuerId: "3300000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330100", issuerId: "3301000001" });
  await deps.staff.createAccount(SYSTEM_ACTOR, {
    username: "bench.clerk",
    displayName: "bench",
    password: "Bench-password-2026",
    grants: [{ role: "outlet_clerk", areaCode: "330100" }],
  });
  const ids: string[] = [];
  for (let i = 0; i < PERSONS; i++) {
    const id = makeIdNumber(
      "330106",
      `19${String(50 + (i % 50)).padStart(2, "0")}-0${1 + (i % 9)}-1${i % 10}`,
      i % 1000,
    );
    if (ids.includes(id)) continue;
    ids.push(id);
    await deps.persons.register(SYSTEM_ACTOR, {
      idNumber: id,
      name: `测试${i}`,
      ethnicity: "01",
      areaCode: "330100",
      phone: "13800000000",
    });
  }
  const { token } = await deps.staff.login({ username: "bench.clerk", password: "Bench-password-2026" });
  await database.close();

  const logLevel = process.env.BENCH_LOG_LEVEL ?? "warn";
  console.log(
    `server: src/main.ts on SQLite (WAL, synchronous=FULL), LOG_LEVEL=${logLevel}, AUTH_CACHE_SECONDS=5`,
  );
  let n = 0;
  const lookupOpts: Partial<autocannon.Options> = {
    headers: { authorization: `Bearer ${token}` },
    requests: [
      { setupRequest: (req) => ({ ...req, path: `/api/v1/persons?idNumber=${ids[n++ % ids.length]}` }) },
    ],
  };
  const bare = await start("bench/bare-server.ts", [], {});
  const results: string[] = [];
  try {
    await load(`${bare.url}/bare`, { duration: 2 });
    const bareResult = await load(`${bare.url}/bare`, {});
    results.push(
      `bare Fastify route:               ${fmt(bareResult.requests.average)} req/s (p99 ${bareResult.latency.p99} ms)`,
    );
    for (const workers of ["1", "2"]) {
      const env = { ...keys, DATABASE_URL: dbUrl, PORT: "0", LOG_LEVEL: logLevel, WORKERS: workers };
      const server = await start("src/main.ts", [], env);
      try {
        await load(`${server.url}/api/v1/persons`, { ...lookupOpts, duration: 2 });
        const r = await load(`${server.url}/api/v1/persons`, lookupOpts);
        const bad = r.non2xx + r.errors;
        const ratio = (r.requests.average / bareResult.requests.average).toFixed(2);
        results.push(
          `person lookup by ID, WORKERS=${workers}:  ${fmt(r.requests.average)} req/s (p99 ${r.latency.p99} ms, ${bad} non-2xx, ratio to bare ${ratio})`,
        );
      } finally {
        server.child.kill("SIGTERM");
        await new Promise((resolve) => server.child.once("exit", resolve));
      }
    }
  } finally {
    bare.child.kill("SIGTERM");
  }
  console.log("");
  for (const line of results) console.log(line);
  console.log("(target: at least 8,000 lookups/s)");

  // Audit verification over AUDIT_RECORDS records.
  const db2 = createDb(dbUrl);
  const deps2 = createDeps(db2, {
    secrets,
    sessionTtlMinutes: 480,
    sessionIdleMinutes: 30,
    authCacheSeconds: 5,
  });
  const existing = (await deps2.audit.verify()).checked;
  const t0 = performance.now();
  for (let done = existing; done < AUDIT_RECORDS; ) {
    const batch = Math.min(1000, AUDIT_RECORDS - done);
    await db2.db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch; i++) {
        await deps2.audit.record(trx, SYSTEM_ACTOR, undefined, {
          action: "bench.event",
          subjectType: "bench",
          subjectId: String(done + i),
          areaCode: "330100",
          after: { n: done + i },
        });
      }
    });
    done += batch;
  }
  const appendMs = performance.now() - t0;
  const t1 = performance.now();
  const result = await deps2.audit.verify();
  const verifyMs = performance.now() - t1;
  await db2.close();
  if (AUDIT_RECORDS > existing) {
    const rate = fmt(((AUDIT_RECORDS - existing) / appendMs) * 1000);
    console.log(`audit append:                     ${rate} records/s (1,000 per transaction)`);
  }
  console.log(
    `audit verify:                     ${fmt(result.checked)} records in ${fmt(verifyMs)} ms (${fmt((result.checked / verifyMs) * 1000)} records/s), ok=${result.ok}`,
  );
  rmSync(dir, { recursive: true, force: true });
}

await main();
