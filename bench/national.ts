import { createSecretKey, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { sm2 } from "sm-crypto-v2";
import { buildHubApp, createHubDeps } from "../src/app.hub.ts";
import { createDb } from "../src/db/database.ts";
import { migrateToLatest } from "../src/db/migrate.ts";
import { seedDemoKeys } from "../src/demo/demo.keys.ts";
import { createDeps } from "../src/deps.ts";
import { softwareLmk } from "../src/modules/keys/lmk.ts";
import { migrateHub } from "../src/modules/national/hub.migrations.ts";
import type { HubDatabase } from "../src/modules/national/hub.tables.ts";
import { signedRequest } from "../src/modules/national/national.http.ts";
import { nationalIndex, PROVINCES } from "../src/modules/national/national.rules.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { systemClock } from "../src/shared/clock.ts";
import { citusMissing, startCitusCluster } from "../test/citus-cluster.ts";
import type { Report } from "./report.ts";

/**
 * A national day scaled to this machine (issue 24): a three-node Citus cluster (coordinator and two
 * workers) holds the hub's registry; the 31 provinces are tenants of this process, each signing its
 * own requests; then one real province (SQLite, its outbox and delivery loop) issues cards while the
 * day's traffic runs. The same traffic again after a third worker joins and the shards are rebalanced.
 */
export async function nationalDay(report: Report, seconds: number) {
  const missing = citusMissing();
  if (missing) {
    console.log(`national day skipped: ${missing}`);
    return;
  }
  const perProvince = Number(process.env.BENCH_NATIONAL_PERSONS ?? 2000);
  const cluster = await startCitusCluster();
  const hubDb = createDb(cluster.coordinator.url, { poolSize: 40 });
  const keys = new Map(PROVINCES.map(([code]) => [code, randomBytes(32)]));
  const indexKey = randomBytes(32);
  const indexKeyObject = createSecretKey(indexKey);
  try {
    await migrateHub(hubDb.db as unknown as Kysely<HubDatabase>, "postgres");
    const ecardKey = Buffer.from(sm2.generateKeyPairHex().privateKey, "hex");
    const hubApp = await buildHubApp(createHubDeps(hubDb, systemClock, { provinceKeys: keys, ecardKey }));
    await hubApp.listen({ port: 0, host: "127.0.0.1" });
    const url = `http://127.0.0.1:${(hubApp.server.address() as AddressInfo).port}`;
    const keyObjects = new Map([...keys].map(([c, k]) => [c, createSecretKey(k)]));
    const as = (province: string) => ({
      baseUrl: url,
      key: keyObjects.get(province)!,
      province,
      at: new Date().toISOString(),
      timeoutMs: 60_000,
    });
    // Each province's persons and cards: card numbers of 9 characters, one letter per province.
    const codes = PROVINCES.map(([code]) => code);
    const personOf = (p: number, i: number) =>
      nationalIndex(indexKeyObject, `${codes[p]}${String(i).padStart(16, "0")}`);
    const cardOf = (p: number, i: number) =>
      `${String.fromCharCode(65 + (p % 26))}${String(p).padStart(2, "0")}${String(i).padStart(6, "0")}`;

    // 1. The registry's load: every province publishes its cards, 100 changes a request, all at once.
    const started = performance.now();
    const batchTimes: number[] = [];
    await Promise.all(
      codes.map(async (code, p) => {
        for (let from = 0; from < perProvince; from += 100) {
          const changes = [];
          for (let i = from; i < Math.min(perProvince, from + 100); i++)
            changes.push({
              nationalIndex: personOf(p, i),
              cardNumber: cardOf(p, i),
              state: "active",
              version: 3,
            });
          const t = performance.now();
          const r = await signedRequest(as(code), "POST", "/hub/v1/changes", { changes });
          if (r?.status !== 200) throw new Error(`changes refused: ${r?.status} ${JSON.stringify(r?.json)}`);
          batchTimes.push(performance.now() - t);
        }
      }),
    );
    const loadSeconds = (performance.now() - started) / 1000;
    report.add({
      key: "national.registry_load",
      label: `hub: card changes applied (31 provinces × ${perProvince}, 100 a request)`,
      value: (codes.length * perProvince) / loadSeconds,
      unit: "changes/s",
      p99Ms: percentile(batchTimes, 0.99),
    });

    // 1b. The national e-card status list: every province publishes a status change of a tenth of its
    // e-cards (100 a request, all at once), then terminals everywhere poll the list from cursors behind.
    const ecardOf = (p: number, i: number) => `${String(p).padStart(2, "0")}${String(i).padStart(30, "0")}`;
    const listed = performance.now();
    await Promise.all(
      codes.map(async (code, p) => {
        for (let from = 0; from < perProvince / 10; from += 100) {
          const ecards = [];
          for (let i = from; i < Math.min(perProvince / 10, from + 100); i++)
            ecards.push({
              nationalIndex: personOf(p, i),
              cardNumber: cardOf(p, i),
              state: "active",
              version: 3,
              ecardId: ecardOf(p, i),
              sv: 2,
              usable: false,
            });
          const r = await signedRequest(as(code), "POST", "/hub/v1/changes", { ecards });
          if (r?.status !== 200) throw new Error(`e-cards refused: ${r?.status} ${JSON.stringify(r?.json)}`);
        }
      }),
    );
    report.add({
      key: "national.ecard_status_load",
      label: `hub: e-card status changes listed and put in the registry (31 provinces × ${perProvince / 10}, 100 a request)`,
      value: (codes.length * perProvince) / 10 / ((performance.now() - listed) / 1000),
      unit: "changes/s",
    });
    const pollTimes: number[] = [];
    let pollFailed = 0;
    const pollUntil = performance.now() + (seconds * 1000) / 2;
    let polls = 0;
    await Promise.all(
      Array.from({ length: 50 }, async (_, caller) => {
        while (performance.now() < pollUntil) {
          polls++;
          // A terminal in its steady state: its cursor names every province, a few entries behind in three.
          // Half the callers are caught up (the same cursor: one signed answer a second is shared).
          const behind = (k: number) =>
            caller % 2 === 0 && (k - caller + 31) % 31 < 3 ? 1 + ((caller + polls) % 5) : 0;
          const cursor = codes.map((code, k) => `${code}:${perProvince / 10 - behind(k)}`).join(",");
          const t = performance.now();
          const r = await signedRequest(
            as(codes[caller % codes.length]),
            "GET",
            `/hub/v1/ecard/status-list?since=${cursor}`,
          );
          if (r?.status !== 200) pollFailed++;
          pollTimes.push(performance.now() - t);
        }
      }),
    );
    report.add({
      key: "national.ecard_status_poll",
      label: "hub: terminals polling the signed national e-card status list (half caught up), 50 callers",
      value: pollTimes.length / (seconds / 2),
      unit: "req/s",
      p99Ms: percentile(pollTimes, 0.99),
      failed: pollFailed,
    });

    // 2. The day's traffic: cross-province card reads, reservations and changes from every province.
    const day = async (label: string) => {
      const times: Record<string, number[]> = { route: [], reserve: [], change: [] };
      let failed = 0;
      const until = performance.now() + seconds * 1000;
      let n = 0;
      await Promise.all(
        Array.from({ length: 50 }, async (_, caller) => {
          while (performance.now() < until) {
            n++;
            const p = (caller + n) % codes.length;
            const other = (p + 1 + (n % 30)) % codes.length;
            const i = (n * 7919 + caller) % perProvince;
            const kind = n % 10 < 7 ? "route" : n % 10 < 9 ? "reserve" : "change";
            const t = performance.now();
            const r =
              kind === "route"
                ? await signedRequest(as(codes[p]), "GET", `/hub/v1/cards/${cardOf(other, i)}`)
                : kind === "reserve"
                  ? await signedRequest(as(codes[p]), "POST", "/hub/v1/reservations", {
                      nationalIndex: personOf(p, perProvince + n),
                    })
                  : await signedRequest(as(codes[other]), "POST", "/hub/v1/changes", {
                      changes: [
                        {
                          nationalIndex: personOf(other, i),
                          cardNumber: cardOf(other, i),
                          state: "active",
                          version: 4 + n,
                        },
                      ],
                    });
            if (r?.status !== 200) failed++;
            times[kind].push(performance.now() - t);
          }
        }),
      );
      const all = Object.values(times).flat();
      report.add({
        key: `national.day.${label}`,
        label: `hub: a day's mix (70% card reads, 20% reservations, 10% changes), 50 callers, ${label}`,
        value: all.length / seconds,
        unit: "req/s",
        p99Ms: percentile(all, 0.99),
        failed,
      });
      for (const [kind, ts] of Object.entries(times))
        console.log(
          `    ${kind.padEnd(8)} ${ts.length} requests, median ${percentile(ts, 0.5).toFixed(1)} ms, p99 ${percentile(ts, 0.99).toFixed(1)} ms`,
        );
    };
    await day("2 workers");

    // 3. The outbox's lag: a real province issues cards while the day's traffic runs at the hub.
    const lag = await outboxLag(url, keys.get("33")!, indexKey, () =>
      day("2 workers, with a province issuing"),
    );
    report.add({
      key: "national.outbox_lag",
      label: "outbox: a province's card change to the hub's acknowledgement, under the day's traffic (max)",
      value: lag.maxMs,
      unit: "ms",
    });
    console.log(
      `    ${lag.cards} cards issued; the outbox drained ${lag.drainMs.toFixed(0)} ms after the last`,
    );

    // 4. One more worker node: the shards rebalanced over three, the same traffic.
    await cluster.addWorker();
    const placements = await sql<{
      n: number;
    }>`select count(distinct nodeport)::int as n from pg_dist_shard_placement p join pg_dist_shard s using (shardid)
       where s.logicalrelid = 'hub_persons'::regclass`.execute(hubDb.db);
    console.log(`    shards now on ${placements.rows[0].n} worker nodes`);
    await day("3 workers");
    await hubApp.close();
  } finally {
    await hubDb.close();
    cluster.stop();
  }
}

/** A province on SQLite, federated, issuing cards for `during`: the most any change waited for the hub. */
async function outboxLag(hubUrl: string, key: Buffer, indexKey: Buffer, during: () => Promise<void>) {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const dir = mkdtempSync(join(tmpdir(), "sscard-national-"));
  const database = createDb(`sqlite:${join(dir, "zj.db")}`);
  await migrateToLatest(database.db, database.dialect);
  const deps = createDeps(
    database,
    {
      secrets: {
        dataKey: randomBytes(32),
        indexKey: randomBytes(32),
        tokenKey: randomBytes(32),
        pinKey: randomBytes(32),
        signingKey: randomBytes(32),
      },
      sessionTtlMinutes: 480,
      sessionIdleMinutes: 30,
      authCacheSeconds: 5,
      national: {
        role: "province",
        hub: { url: hubUrl, province: "33", key, indexKey },
        provinceKeys: new Map(),
        provinceUrls: new Map(),
      },
    },
    systemClock,
    { lmk: softwareLmk(randomBytes(32)) },
  );
  await deps.areas.create(SYSTEM_ACTOR, { code: "330000", issuerId: "3300000001" });
  await deps.areas.create(SYSTEM_ACTOR, { code: "330100", issuerId: "3301000001" });
  await seedDemoKeys(deps.hsm!, [["330000", "330100"]]);
  const stop = deps.national.startDelivery(1000, (err) => console.error(err));
  let maxMs = 0;
  let cards = 0;
  const sampler = setInterval(async () => {
    const b = await deps.national.backlog();
    if (b.oldestAt) maxMs = Math.max(maxMs, Date.now() - Date.parse(b.oldestAt));
  }, 100);
  let issuing = true;
  const issue = (async () => {
    for (let i = 0; issuing; i++) {
      const birth = `19${60 + (i % 40)}-0${1 + (i % 9)}-${String(1 + (Math.floor(i / 9) % 28)).padStart(2, "0")}`;
      const idNumber = makeIdNumber("330106", birth, i % 1000);
      try {
        await deps.persons.register(SYSTEM_ACTOR, {
          ...{ idNumber, name: "全国日", ethnicity: "01", areaCode: "330100", photoRef: "p.jpg" },
        });
        await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
        cards++;
      } catch {
        // an ID number drawn twice: the next one
      }
    }
  })();
  await during();
  issuing = false;
  await issue;
  const last = performance.now();
  while ((await deps.national.backlog()).pending > 0) await new Promise((r) => setTimeout(r, 50));
  const drainMs = performance.now() - last;
  clearInterval(sampler);
  stop();
  await database.close();
  rmSync(dir, { recursive: true, force: true });
  return { maxMs, drainMs, cards };
}

function percentile(values: number[], q: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
