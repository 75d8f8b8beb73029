import assert from "node:assert/strict";
import { createSecretKey, randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import type { Kysely } from "kysely";
import { sql } from "kysely";
import { sm2 } from "sm-crypto-v2";
import { buildHubApp, createHubDeps } from "../src/app.hub.ts";
import { type App, buildApp } from "../src/app.ts";
import { createDb } from "../src/db/database.ts";
import { createDeps, type Deps } from "../src/deps.ts";
import { NATIONAL_DEFAULT_POLICY, NATIONAL_MEDICAL_POLICY } from "../src/modules/areas/areas.rules.ts";
import { newCardNumber } from "../src/modules/cards/cards.rules.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { PRIVACY_TEXT_VERSION } from "../src/modules/ecard/ecard.service.ts";
import { mintCode } from "../src/modules/ecard/ecard-code.device.ts";
import { verifyCode } from "../src/modules/ecard/ecard-code.ts";
import { softwareLmk } from "../src/modules/keys/lmk.ts";
import { migrateHub } from "../src/modules/national/hub.migrations.ts";
import { createHubRepository } from "../src/modules/national/hub.repository.ts";
import { createHubService } from "../src/modules/national/hub.service.ts";
import type { HubDatabase } from "../src/modules/national/hub.tables.ts";
import { signedRequest } from "../src/modules/national/national.http.ts";
import { nationalIndex, parseStatusCursor, signHubRequest } from "../src/modules/national/national.rules.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { fixedClock } from "../src/shared/clock.ts";
import { verifySigned } from "../src/shared/signed.ts";
import { type CitusCluster, citusMissing, startCitusCluster } from "./citus-cluster.ts";
import { createTestDb, DIALECTS } from "./db.ts";
import { cardInState, newIdNumber, seedAreas, seedCardKeys, staffToken, testSecrets } from "./fixtures.ts";

/**
 * The national platform for real (issue 24): a three-node Citus cluster on loopback holds the hub's
 * registry; the hub serves HTTP on a live port; two provinces (Zhejiang on SQLite, Jiangsu on
 * PostgreSQL) publish their card changes through their outboxes and reserve national slots over HTTP.
 */
const skip = citusMissing();

describe("the national hub on Citus, with two provinces", { skip }, () => {
  const clock = fixedClock("2026-11-22T02:00:00Z");
  const provinceKeys = new Map([
    ["33", randomBytes(32)],
    ["32", randomBytes(32)],
  ]);
  const indexKey = randomBytes(32);
  const provinceUrls = new Map<string, string>();
  const ecardKey = Buffer.from(sm2.generateKeyPairHex().privateKey, "hex");
  let cluster: CitusCluster;
  let hubDb: ReturnType<typeof createDb>;
  let hubApp: Awaited<ReturnType<typeof buildHubApp>>;
  let hubPort = 0;
  const provinces = {} as Record<"zj" | "js", { deps: Deps; app: App; close: () => Promise<void> }>;

  async function startHub() {
    hubApp = await buildHubApp(createHubDeps(hubDb, clock, { provinceKeys, provinceUrls, ecardKey }));
    await hubApp.listen({ port: hubPort, host: "127.0.0.1" });
    hubPort = (hubApp.server.address() as AddressInfo).port;
  }

  async function province(code: "33" | "32", dialect: "sqlite" | "postgres") {
    const database = await createTestDb(dialect);
    const config = {
      secrets: testSecrets(),
      sessionTtlMinutes: 480,
      sessionIdleMinutes: 30,
      authCacheSeconds: 5,
      national: {
        role: "province" as const,
        hub: { url: `http://127.0.0.1:${hubPort}`, province: code, key: provinceKeys.get(code)!, indexKey },
        provinceKeys: new Map(),
        provinceUrls: new Map(),
      },
    };
    const deps = createDeps(database, config, clock, { lmk: softwareLmk(randomBytes(32)) });
    await seedCardKeys(deps);
    await seedAreas(deps);
    // The province serves HTTP on a live port: the hub forwards other provinces' checks to it.
    const app = await buildApp(deps);
    await app.listen({ port: 0, host: "127.0.0.1" });
    provinceUrls.set(code, `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`);
    return {
      deps,
      app,
      close: async () => {
        await provinces[code === "33" ? "zj" : "js"].app.close();
        await database.close();
      },
    };
  }

  before(async () => {
    cluster = await startCitusCluster();
    hubDb = createDb(cluster.coordinator.url, { poolSize: 20 });
    assert.equal(await migrateHub(hubDb.db as unknown as Kysely<HubDatabase>, "postgres"), "created");
    await startHub();
    provinces.zj = await province("33", "sqlite");
    provinces.js = await province("32", DIALECTS.includes("postgres") ? "postgres" : "sqlite");
    // The hub learns where the provinces are.
    await hubApp.close();
    await startHub();
  });

  after(async () => {
    await hubApp?.close();
    await hubDb?.close();
    for (const p of Object.values(provinces)) await p.close();
    cluster?.stop();
  });

  /** A person registered in a province (each province keeps its own register). */
  async function register(deps: Deps, idNumber: string, areaCode: string) {
    await deps.persons.register(SYSTEM_ACTOR, {
      idNumber,
      name: "跨省人员",
      ethnicity: "01",
      areaCode,
      photoRef: "p.jpg",
    });
  }

  const backlog = (p: Deps) => p.national.backlog();

  /** A request to the hub signed with a province's key, as that province's system sends it. */
  const hubRequest = (province: string, method: "GET" | "POST", path: string, payload?: object) =>
    signedRequest(
      {
        baseUrl: `http://127.0.0.1:${hubPort}`,
        key: createSecretKey(provinceKeys.get(province)!),
        province,
        at: clock.now().toISOString(),
      },
      method,
      path,
      payload,
    );

  it("distributes the registry on the cluster's workers: persons and their cards co-located, routes by card number", async () => {
    const tables = await sql<{ logicalrelid: string; partmethod: string; colocationid: number }>`
      select logicalrelid::text, partmethod, colocationid from pg_dist_partition order by 1`.execute(
      hubDb.db,
    );
    const byName = Object.fromEntries(tables.rows.map((r) => [r.logicalrelid, r]));
    assert.equal(byName.hub_persons.partmethod, "h");
    assert.equal(byName.hub_person_cards.partmethod, "h");
    assert.equal(byName.hub_person_cards.colocationid, byName.hub_persons.colocationid);
    assert.equal(byName.hub_card_routes.partmethod, "h");
    assert.equal(byName.hub_provinces.partmethod, "n", "the provinces are a reference table");
    assert.equal(byName.hub_areas.partmethod, "n", "the areas are a reference table");
    for (const t of ["hub_ecard_status", "hub_ecard_cursors", "hub_settlements", "hub_refunds"])
      assert.equal(byName[t]?.partmethod, "h", `${t} is distributed`);
    assert.equal(byName.hub_ecard_status.colocationid, byName.hub_ecard_cursors.colocationid);
    const version = await sql<{ value: string }>`select value from hub_meta where key = 'schema'`.execute(
      hubDb.db,
    );
    assert.equal(version.rows[0].value, "4");
    assert.equal(
      await migrateHub(hubDb.db as unknown as Kysely<HubDatabase>, "postgres"),
      "current",
      "a second start changes nothing",
    );
    const placements = await sql<{ nodeport: number }>`
      select distinct nodeport from pg_dist_shard_placement p join pg_dist_shard s using (shardid)
      where s.logicalrelid = 'hub_persons'::regclass`.execute(hubDb.db);
    assert.deepEqual(
      placements.rows.map((r) => Number(r.nodeport)).sort(),
      cluster.workers.map((w) => w.port).sort(),
    );
  });

  it("keeps one card per person nationwide: a second province is refused with where the card is held", async () => {
    const idNumber = newIdNumber("330106", "1985-04-01");
    await register(provinces.zj.deps, idNumber, "330100");
    await register(provinces.js.deps, idNumber, "320100");
    const card = await provinces.zj.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    assert.equal((await backlog(provinces.zj.deps)).pending, 1, "the new card waits in the outbox");
    assert.deepEqual(await provinces.zj.deps.national.deliver(), { delivered: 1, failed: 0 });
    assert.equal((await backlog(provinces.zj.deps)).pending, 0);
    await assert.rejects(
      provinces.js.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "320100" }),
      (err: { code: string; details: { province: string; provinceName: string } }) =>
        err.code === "NATIONAL_CARD_HELD" &&
        err.details.province === "33" &&
        err.details.provinceName === "浙江省",
    );
    const route = await provinces.js.deps.national.cardRoute(card.cardNumber);
    assert.equal(route.province, "33");
    assert.equal(route.state, "applied");
  });

  it("under concurrent applications in both provinces, exactly one gets the person's card", async () => {
    for (let i = 0; i < 5; i++) {
      const idNumber = newIdNumber("320102", "1992-06-15");
      await register(provinces.zj.deps, idNumber, "330100");
      await register(provinces.js.deps, idNumber, "320100");
      const results = await Promise.allSettled([
        provinces.zj.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" }),
        provinces.js.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "320100" }),
        provinces.zj.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" }),
      ]);
      const won = results.filter((r) => r.status === "fulfilled");
      assert.equal(
        won.length,
        1,
        JSON.stringify(results.map((r) => (r.status === "rejected" ? r.reason.code : "ok"))),
      );
      for (const r of results)
        if (r.status === "rejected")
          assert.ok(
            [
              "NATIONAL_CARD_HELD",
              "NATIONAL_SLOT_RESERVED",
              "CARD_ALREADY_HELD",
              "CONCURRENT_MODIFICATION",
            ].includes(r.reason.code),
            r.reason.code,
          );
    }
    await provinces.zj.deps.national.deliver();
    await provinces.js.deps.national.deliver();
  });

  it("applies a change once: a batch sent twice, and an older version after a newer one, change nothing", async () => {
    const idNumber = newIdNumber("330106", "1979-01-09");
    await register(provinces.zj.deps, idNumber, "330100");
    const card = await provinces.zj.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    const rows = await provinces.zj.deps.database.db
      .selectFrom("national_outbox")
      .selectAll()
      .where("card_number", "=", card.cardNumber)
      .execute();
    assert.equal(rows.length, 1);
    const change = JSON.parse(rows[0].payload);
    assert.equal(change.state, "applied");
    assert.match(change.nationalIndex, /^[0-9a-f]{64}$/);
    assert.ok(!rows[0].payload.includes(idNumber), "the ID number never leaves the province in clear");
    const hub = createHubDeps(hubDb, clock, { provinceKeys }).hub;
    assert.deepEqual(await hub.applyChanges("33", [change]), { applied: 1, stale: 0, listed: 0 });
    assert.deepEqual(await hub.applyChanges("33", [change]), { applied: 0, stale: 1, listed: 0 });
    assert.deepEqual(await hub.applyChanges("33", [{ ...change, state: "in_production", version: 3 }]), {
      applied: 1,
      stale: 0,
      listed: 0,
    });
    assert.deepEqual(await hub.applyChanges("33", [{ ...change, state: "applied", version: 2 }]), {
      applied: 0,
      stale: 1,
      listed: 0,
    });
    assert.equal((await hub.cardRoute(card.cardNumber)).state, "in_production");
    // The province's own delivery of the same row afterwards is acknowledged and changes nothing.
    assert.deepEqual(await provinces.zj.deps.national.deliver(), { delivered: 1, failed: 0 });
    assert.equal((await hub.cardRoute(card.cardNumber)).version, 3);
  });

  it("goes on while the hub is down; the outbox drains after it is back, and duplicates are listed for cancellation", async () => {
    const idNumber = newIdNumber("330106", "1990-12-12");
    await register(provinces.zj.deps, idNumber, "330100");
    await register(provinces.js.deps, idNumber, "320100");
    await hubApp.close();
    // Both provinces issue while the hub cannot be reached: neither is blocked.
    const zj = await provinces.zj.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    const js = await provinces.js.deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "320100" });
    assert.deepEqual(await provinces.zj.deps.national.deliver(), { delivered: 0, failed: 1 });
    const waiting = await backlog(provinces.zj.deps);
    assert.equal(waiting.pending, 1);
    await assert.rejects(provinces.zj.deps.national.cardRoute(js.cardNumber), { code: "HUB_UNAVAILABLE" });
    await startHub();
    clock.advance(31_000); // the failed delivery's lease runs out
    assert.deepEqual(await provinces.zj.deps.national.deliver(), { delivered: 1, failed: 0 });
    assert.deepEqual(await provinces.js.deps.national.deliver(), { delivered: 1, failed: 0 });
    assert.equal((await backlog(provinces.zj.deps)).pending, 0);
    for (const p of [provinces.zj, provinces.js]) {
      const listed = await p.deps.national.duplicates();
      const mine = listed.find((d) => d.cards.some((c) => c.cardNumber === zj.cardNumber));
      assert.ok(mine, "the person with two cards is listed in both provinces");
      assert.deepEqual(mine.cards.map((c) => c.cardNumber).sort(), [zj.cardNumber, js.cardNumber].sort());
    }
    // Jiangsu cancels its card: the person is no longer listed once the change is delivered.
    const hub = createHubDeps(hubDb, clock, { provinceKeys }).hub;
    const jsChange = {
      ...(await lastChange(provinces.js.deps, js.cardNumber)),
      state: "cancelled" as const,
      version: 9,
    };
    await hub.applyChanges("32", [jsChange]);
    assert.ok(
      !(await provinces.zj.deps.national.duplicates()).some((d) =>
        d.cards.some((c) => c.cardNumber === zj.cardNumber),
      ),
    );
  });

  async function lastChange(deps: Deps, cardNumber: string) {
    const row = await deps.database.db
      .selectFrom("national_outbox")
      .select("payload")
      .where("card_number", "=", cardNumber)
      .orderBy("at", "desc")
      .executeTakeFirstOrThrow();
    return JSON.parse(row.payload);
  }

  it("publishes a loss: the hub knows the card is lost once the outbox is delivered", async () => {
    const idNumber = newIdNumber("330106", "1988-08-08");
    await register(provinces.zj.deps, idNumber, "330100");
    const { deps } = provinces.zj;
    const c = await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, { areaCode: "330100" });
    const { returnFileFor } = await import("./fixtures.ts");
    await deps.cards.importReturnFile(
      SYSTEM_ACTOR,
      batch.batchId,
      returnFileFor(batch, (n) => n === c.cardNumber),
    );
    await deps.cards.issue(SYSTEM_ACTOR, c.cardNumber, {
      collectedBy: "holder",
      holderIdNumber: idNumber,
      activate: true,
    });
    await deps.cards.reportTemporaryLoss(SYSTEM_ACTOR, c.cardNumber);
    await deps.national.deliver();
    const route = await provinces.js.deps.national.cardRoute(c.cardNumber);
    assert.equal(route.state, "temporarily_lost");
    assert.equal(route.provinceName, "浙江省");
  });

  it("loses nothing acknowledged when a worker node is killed (kill -9) while a province delivers", async () => {
    const { deps } = provinces.js;
    const cards: string[] = [];
    for (let i = 0; i < 20; i++) {
      const idNumber = newIdNumber("320102", "1970-02-02");
      await register(deps, idNumber, "320100");
      cards.push((await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "320100" })).cardNumber);
    }
    // The worker dies with the changes waiting: the hub cannot apply them all, the province keeps what failed.
    cluster.crash(cluster.workers[1]);
    const during = await deps.national.deliver();
    assert.equal(during.delivered + during.failed, 20);
    assert.ok(during.failed > 0, "a batch touching the dead worker is refused, not acknowledged");
    cluster.start(cluster.workers[1]);
    clock.advance(31_000);
    await deps.national.deliver();
    assert.equal((await backlog(deps)).pending, 0);
    const hub = createHubDeps(hubDb, clock, { provinceKeys }).hub;
    for (const n of cards) assert.equal((await hub.cardRoute(n)).province, "32");
  });

  it("loses nothing acknowledged when the hub's process is killed (kill -9) while a province delivers", async () => {
    const { spawn } = await import("node:child_process");
    // The hub as production runs it: src/main.ts with SSCARD_ROLE=hub on the cluster's coordinator.
    await hubApp.close();
    const hex = (code: string) => provinceKeys.get(code)!.toString("hex");
    const spawnHub = async () => {
      const child = spawn(process.execPath, ["src/main.ts"], {
        env: {
          ...process.env,
          SSCARD_ROLE: "hub",
          SSCARD_HUB_PROVINCES: `33=${hex("33")},32=${hex("32")}`,
          DATABASE_URL: cluster.coordinator.url,
          PORT: String(hubPort),
          SSCARD_CLOCK_START: clock.now().toISOString(),
          LOG_LEVEL: "warn",
        },
        stdio: ["ignore", "pipe", "inherit"],
      });
      await new Promise<void>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          if (out.includes("listening on")) resolve();
        });
        child.on("exit", (code) => reject(new Error(`hub exited ${code}: ${out}`)));
      });
      return child;
    };
    const { deps } = provinces.zj;
    const cards: string[] = [];
    for (let i = 0; i < 120; i++) {
      const idNumber = newIdNumber("330106", "1966-06-06");
      await register(deps, idNumber, "330100");
      cards.push((await deps.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" })).cardNumber);
    }
    const first = await spawnHub();
    const delivering = deps.national.deliver(10);
    await new Promise((r) => setTimeout(r, 40));
    first.kill("SIGKILL");
    const during = await delivering;
    assert.ok(during.delivered < 120, "the kill came before the outbox was drained");
    // Everything the province saw acknowledged is at the hub.
    const acknowledged = await deps.database.db
      .selectFrom("national_outbox")
      .select("card_number")
      .where("delivered_at", "is not", null)
      .where("card_number", "in", cards)
      .execute();
    const hub = createHubDeps(hubDb, clock, { provinceKeys }).hub;
    for (const row of acknowledged) assert.equal((await hub.cardRoute(row.card_number)).province, "33");
    const second = await spawnHub();
    clock.advance(31_000);
    await deps.national.deliver();
    assert.equal((await backlog(deps)).pending, 0);
    for (const n of cards) assert.equal((await hub.cardRoute(n)).state, "applied");
    second.kill("SIGKILL");
    await new Promise((r) => second.once("exit", r));
    await startHub();
  });

  it("checks a card of another province through the hub at its home province; a loss there is refused here at once", async () => {
    const zj = provinces.zj.deps;
    const holder = await cardInState(zj, "active", { name: "跨省就医" });
    await zj.enrolment.enrol(SYSTEM_ACTOR, {
      idNumber: holder.idNumber,
      scheme: "employee_medical",
      areaCode: "330106",
      startDate: "2026-08-01",
    });
    await zj.national.deliver();
    const pharmacy = await staffToken(
      provinces.js.deps,
      `js.pharmacy.${Date.now()}`,
      "pharmacy_operator",
      "320100",
    );
    const check = async (body: object, lang = "zh") => {
      const res = await provinces.js.app.inject({
        method: "POST",
        url: "/api/v1/online-checks",
        headers: { authorization: `Bearer ${pharmacy}`, "accept-language": lang },
        payload: body,
      });
      return { status: res.statusCode, body: res.json() };
    };
    const insured = await check({ cardNumber: holder.cardNumber });
    assert.equal(insured.status, 200, JSON.stringify(insured.body));
    assert.equal(insured.body.result, "INSURED");
    assert.deepEqual(insured.body.homeProvince, { code: "33", name: "浙江省", source: "home" });
    assert.equal(insured.body.coordinationArea, "330100");
    assert.equal(insured.body.holder, undefined, "no holder details cross the border");
    // Logged in both provinces: here as the pharmacy's check, there as the hub's forwarding.
    const there = await zj.enrolment.checksOfCard(SYSTEM_ACTOR, holder.cardNumber);
    assert.equal(there[0].result, "INSURED");
    assert.match(there[0].checkedBy, /江苏省（全国平台转发）/);
    // The holder reports the loss in Zhejiang: the next check in Jiangsu is refused, with its cause.
    await zj.cards.reportTemporaryLoss(SYSTEM_ACTOR, holder.cardNumber);
    const lost = await check({ cardNumber: holder.cardNumber });
    assert.equal(lost.body.result, "CARD_TEMPORARILY_LOST");
    assert.equal(lost.body.insured, false);
    assert.ok(lost.body.diagnostic.zh.cause);
    // The home province down: the hub answers from its registry once the loss was delivered there.
    await zj.national.deliver();
    await provinces.zj.app.close();
    const fromRegistry = await check({ cardNumber: holder.cardNumber }, "en");
    assert.equal(fromRegistry.body.result, "CARD_TEMPORARILY_LOST");
    assert.equal(fromRegistry.body.homeProvince.source, "registry");
    // An active card cannot be vouched for from the registry: a clear 503 to retry.
    const other = await cardInState(zj, "active", { name: "另一人" });
    await zj.national.deliver();
    const unavailable = await check({ cardNumber: other.cardNumber }, "en");
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.body.code, "PROVINCE_UNAVAILABLE");
    assert.match(unavailable.body.message, /浙江省/);
    provinces.zj.app = await buildApp(zj);
    await provinces.zj.app.listen({ port: Number(new URL(provinceUrls.get("33")!).port), host: "127.0.0.1" });
    // A card no province holds is this province's own "not found", as before.
    const unknown = await check({ cardNumber: newCardNumber() });
    assert.equal(unknown.status, 200, JSON.stringify(unknown.body));
    assert.equal(unknown.body.result, "CARD_NUMBER_NOT_FOUND");
    assert.equal(unknown.body.homeProvince, undefined);
    // The hub down: the cross-province check is refused with its own code, to be retried.
    await hubApp.close();
    const hubDown = await check({ cardNumber: holder.cardNumber });
    assert.equal(hubDown.status, 503);
    assert.equal(hubDown.body.code, "HUB_UNAVAILABLE");
    await startHub();
  });

  it("settles a Zhejiang card at a Jiangsu pharmacy through the hub: the home account debited once under retries, concurrency and a hub restart; netted by day", async () => {
    const zj = provinces.zj.deps;
    const js = provinces.js.deps;
    // Zhejiang: its medical rules, catalogue and a holder with ¥500 in the personal account.
    await zj.areas.addPolicyVersion(SYSTEM_ACTOR, "330100", {
      effectiveFrom: "2026-11-22",
      policy: {
        ...NATIONAL_DEFAULT_POLICY,
        medical: { ...NATIONAL_MEDICAL_POLICY, averageMonthlyWageFen: 1_000_000, accountShareBp: 500 },
      },
    });
    const catalogue = "code,name,class,self_pay_percent\nXA01,阿莫西林胶囊,A,0\nXB01,头孢克肟片,B,10\n";
    await zj.medical.importCatalogue(SYSTEM_ACTOR, {
      name: "目录",
      effectiveFrom: "2026-01-01",
      csv: catalogue,
      sample: true,
    });
    const holder = await cardInState(zj, "active", { name: "异地就医" });
    await zj.medical.payContribution(SYSTEM_ACTOR, {
      idNumber: holder.idNumber,
      month: "2026-10",
      payer: "self",
      gradePercent: 100,
    });
    await zj.medical.transferMonth(SYSTEM_ACTOR, "2026-10");
    await zj.national.deliver();
    const pin = initialPin(holder.cardNumber, NATIONAL_DEFAULT_POLICY);
    const balance = async () => {
      const person = await zj.persons.findByIdNumber(SYSTEM_ACTOR, holder.idNumber);
      const sums = await zj.medical.ledgerSums(person.id);
      assert.equal(sums.total, 0, "every journal balances");
      return sums.personal;
    };
    assert.equal(await balance(), 50_000);
    // Jiangsu: a designated pharmacy with its terminal and operator.
    const terminalNo = "320100000701";
    const pharmacyRow = await js.medical.registerInstitution(SYSTEM_ACTOR, {
      code: "JS-PH-1",
      name: "南京大药房",
      kind: "pharmacy",
      areaCode: "320100",
      agreementFrom: "2026-01-01",
      agreementUntil: "2027-12-31",
    });
    await js.terminals.register(SYSTEM_ACTOR, { terminalNo, areaCode: "320100", name: "JS-PH-1" });
    await js.medical.attachTerminal(SYSTEM_ACTOR, "JS-PH-1", terminalNo);
    const operator = await staffToken(js, "js.pharmacy.settle", "pharmacy_operator", "320100", {
      institutionId: (pharmacyRow as { id: string }).id,
    });
    const settle = async (idempotencyKey: string, card = { cardNumber: holder.cardNumber, pin }) => {
      const res = await provinces.js.app.inject({
        method: "POST",
        url: "/api/v1/settlements",
        headers: { authorization: `Bearer ${operator}` },
        payload: {
          terminalNo,
          idempotencyKey,
          card,
          items: [{ code: "XA01", quantity: 2, unitPriceFen: 1_250 }],
        },
      });
      return { status: res.statusCode, body: res.json() };
    };
    const first = await settle("js-key-1");
    assert.equal(first.status, 200, JSON.stringify(first.body));
    assert.deepEqual(first.body.homeProvince, { code: "33", name: "浙江省" });
    assert.deepEqual(first.body.institution, { code: "JS-PH-1", name: "南京大药房" });
    assert.equal(first.body.idempotencyKey, "js-key-1");
    assert.equal(first.body.totals.accountFen, 2_500);
    assert.equal(await balance(), 47_500);
    // The same key again, and five times at once: the first settlement each time, one debit.
    const again = await settle("js-key-1");
    assert.equal(again.body.settlementId, first.body.settlementId);
    assert.equal(again.body.replayed, true);
    const burst = await Promise.all(Array.from({ length: 5 }, () => settle("js-key-2")));
    assert.deepEqual(
      burst.map((b) => b.status),
      [200, 200, 200, 200, 200],
      JSON.stringify(burst.map((b) => b.body)),
    );
    assert.equal(new Set(burst.map((b) => b.body.settlementId)).size, 1);
    assert.equal(await balance(), 45_000);
    // The hub dies after the home province settled and before it answered: the retry settles nothing new.
    const direct = await signedRequest(
      {
        baseUrl: provinceUrls.get("33")!,
        key: createSecretKey(provinceKeys.get("33")!),
        province: "32",
        at: clock.now().toISOString(),
      },
      "POST",
      "/national/v1/settlements",
      {
        cardNumber: holder.cardNumber,
        pin,
        items: [{ code: "XA01", quantity: 2, unitPriceFen: 1_250 }],
        idempotencyKey: "js-key-3",
        institution: { code: "JS-PH-1", name: "南京大药房" },
        terminalNo,
      },
    );
    assert.equal(direct?.status, 200, JSON.stringify(direct?.json));
    await hubApp.close();
    const whileDown = await settle("js-key-3");
    assert.deepEqual([whileDown.status, whileDown.body.code], [503, "HUB_UNAVAILABLE"]);
    await startHub();
    const afterRestart = await settle("js-key-3");
    assert.equal(afterRestart.body.settlementId, direct?.json.settlementId);
    assert.equal(await balance(), 42_500, "debited once for js-3");
    // The home province's refusal reaches the pharmacy as it is: a wrong password.
    const wrong = await settle("js-key-4", {
      cardNumber: holder.cardNumber,
      pin: pin === "000000" ? "111111" : "000000",
    });
    assert.equal(wrong.status >= 400 && wrong.status < 500, true);
    assert.match(wrong.body.code, /PASSWORD|PIN/);
    assert.equal(await balance(), 42_500);
    // The pharmacy's own system (an API key on the terminal channel) never carries a password in clear,
    // to its own province or through the hub to another.
    const pos = await js.staff.createApiKey(SYSTEM_ACTOR, {
      name: "南京大药房 POS",
      role: "pharmacy_operator",
      areaCode: "320100",
      channel: "terminal",
      institutionId: (pharmacyRow as { id: string }).id,
    });
    const clear = await provinces.js.app.inject({
      method: "POST",
      url: "/api/v1/settlements",
      headers: { authorization: `Bearer ${pos.token}` },
      payload: {
        terminalNo,
        idempotencyKey: "js-key-pos-1",
        card: { cardNumber: holder.cardNumber, pin },
        items: [{ code: "XA01", quantity: 2, unitPriceFen: 1_250 }],
      },
    });
    assert.deepEqual([clear.statusCode, clear.json().code], [400, "PIN_BLOCK_REQUIRED"]);
    assert.equal(await balance(), 42_500);
    // Netting: Jiangsu receives what Zhejiang's accounts paid, and Zhejiang's books agree.
    const day = first.body.day;
    const jsNet = await js.national.netting(day);
    assert.deepEqual(jsNet.pairs, [
      {
        treatingProvince: "32",
        homeProvince: "33",
        count: 3,
        accountFen: 7_500,
        totalFen: 7_500,
        refundCount: 0,
        refundedAccountFen: 0,
      },
    ]);
    assert.equal(jsNet.netFen, 7_500);
    assert.equal((await zj.national.netting(day)).netFen, -7_500);
    const books = await zj.medical.reconciliation(SYSTEM_ACTOR, "NATIONAL-32", day);
    assert.equal(books.count, 3);
    assert.equal(books.byAccount.personalAccountFen, 7_500);

    // The holder's national e-card: its payment code, scanned by the POS, is settled by Zhejiang (the
    // code's single use and the account there), through the hub, with no password crossing.
    const { credential, device } = await zjSignup("异地就医", holder);
    await js.national.refreshIssuerKeys(); // as its delivery loop does at start, then every minute
    const byCode = (idempotencyKey: string, ecardCode: string) =>
      provinces.js.app
        .inject({
          method: "POST",
          url: "/api/v1/settlements",
          headers: { authorization: `Bearer ${pos.token}` },
          payload: {
            terminalNo,
            idempotencyKey,
            ecardCode,
            items: [{ code: "XA01", quantity: 2, unitPriceFen: 1_250 }],
          },
        })
        .then((res) => ({ status: res.statusCode, body: res.json() }));
    const paymentCode = mintCode(
      credential,
      device.privateKey,
      "payment",
      Math.floor(clock.now().getTime() / 1000),
    );
    const paid = await byCode("js-code-1", paymentCode);
    assert.equal(paid.status, 200, JSON.stringify(paid.body));
    assert.deepEqual(paid.body.homeProvince, { code: "33", name: "浙江省" });
    assert.equal(paid.body.medium, "ecard");
    assert.equal(await balance(), 40_000);
    // The POS retries (its answer was lost): the first settlement, nothing debited again.
    const retried = await byCode("js-code-1", paymentCode);
    assert.equal(retried.body.settlementId, paid.body.settlementId);
    // The same code for another basket: used once already, refused by Zhejiang.
    const reused = await byCode("js-code-2", paymentCode);
    assert.deepEqual(
      [reused.status, reused.body.code, reused.body.details?.reason],
      [422, "ECARD_CODE_REFUSED", "REPLAYED"],
    );
    // A forged code is refused in Jiangsu, before the hub.
    const forged = `${paymentCode.slice(0, -8)}${paymentCode.slice(-8).split("").reverse().join("")}`;
    const refused = await byCode("js-code-3", forged);
    assert.equal(refused.body.code, "ECARD_CODE_REFUSED", JSON.stringify(refused.body));
    assert.equal(await balance(), 40_000);
    const netAfter = await js.national.netting(day);
    assert.deepEqual(
      netAfter.pairs.map((p) => [p.count, p.accountFen]),
      [[4, 10_000]],
    );

    // The pharmacy refunds one box of its first sale: Zhejiang returns it to the account, once, however
    // often the POS sends it (three at once, then a retry).
    const refund = (idempotencyKey: string, settlementId = first.body.settlementId as string) =>
      provinces.js.app
        .inject({
          method: "POST",
          url: `/api/v1/settlements/${settlementId}/refunds`,
          headers: { authorization: `Bearer ${pos.token}` },
          payload: { terminalNo, idempotencyKey, lines: [{ line: 1, quantity: 1 }] },
        })
        .then((res) => ({ status: res.statusCode, body: res.json() }));
    const refunds = await Promise.all([refund("js-refund-1"), refund("js-refund-1"), refund("js-refund-1")]);
    assert.deepEqual(
      refunds.map((r) => r.status),
      [200, 200, 200],
      JSON.stringify(refunds.map((r) => r.body)),
    );
    assert.equal(new Set(refunds.map((r) => r.body.refundId)).size, 1);
    assert.equal(refunds[0].body.accountFen, 1_250);
    assert.equal((await refund("js-refund-1")).body.replayed, true);
    assert.equal(await balance(), 41_250, "one box back to the account, once");
    // Only the hospital that settled can name the settlement: another Jiangsu code, or Zhejiang itself.
    const settlementKey = "js-key-1";
    for (const [asking, code] of [
      ["32", "JS-PH-2"],
      ["33", "JS-PH-1"],
    ]) {
      const named = await hubRequest(asking, "POST", "/hub/v1/refunds", {
        settlementId: first.body.settlementId,
        settlementKey,
        idempotencyKey: `other-key-${asking}`,
        institution: { code, name: "别家药房" },
        terminalNo,
      });
      assert.deepEqual([named?.status, named?.json.code], [404, "SETTLEMENT_NOT_FOUND"], `${asking} ${code}`);
    }
    // More than is left: the home province's own refusal.
    const tooMany = await provinces.js.app.inject({
      method: "POST",
      url: `/api/v1/settlements/${first.body.settlementId}/refunds`,
      headers: { authorization: `Bearer ${pos.token}` },
      payload: { terminalNo, idempotencyKey: "js-refund-2", lines: [{ line: 1, quantity: 2 }] },
    });
    assert.deepEqual([tooMany.statusCode, tooMany.json().code], [409, "REFUND_NOT_ALLOWED"]);
    // The hub down: a clear 503, nothing refunded.
    await hubApp.close();
    const down = await refund("js-refund-3");
    await startHub();
    assert.deepEqual([down.status, down.body.code], [503, "HUB_UNAVAILABLE"]);
    assert.equal(await balance(), 41_250);
    // Netting less the refund, and Zhejiang's books agree.
    const netted = await js.national.netting(day);
    assert.deepEqual(
      netted.pairs.map((p) => [p.count, p.accountFen, p.refundCount, p.refundedAccountFen]),
      [[4, 10_000, 1, 1_250]],
    );
    assert.equal(netted.netFen, 8_750);
    assert.equal((await zj.national.netting(day)).netFen, -8_750);
    // The pharmacy's own day lists its cross-province settlements beside its local ones.
    const ownDay = await provinces.js.app.inject({
      method: "GET",
      url: `/api/v1/institutions/JS-PH-1/reconciliation?day=${day}`,
      headers: { authorization: `Bearer ${operator}` },
    });
    assert.equal(ownDay.statusCode, 200, ownDay.body);
    assert.equal(ownDay.json().count, 0);
    assert.deepEqual([ownDay.json().elsewhere.count, ownDay.json().elsewhere.accountFen], [4, 10_000]);
    assert.deepEqual(
      new Set(ownDay.json().elsewhere.settlements.map((e: { homeProvince: string }) => e.homeProvince)),
      new Set(["33"]),
    );
    const booksAfter = await zj.medical.reconciliation(SYSTEM_ACTOR, "NATIONAL-32", day);
    assert.equal(booksAfter.byAccount.personalAccountFen - booksAfter.refunds.accountFen, 8_750);
  });

  /** Zhejiang's e-card sign-up through a government app's channel (made once), as a holder would. */
  let zjTokens: { channel: string; clerk: string } | undefined;
  async function zjSignup(holderName: string, existing?: { idNumber: string; cardNumber: string }) {
    const zj = provinces.zj.deps;
    const call = async (token: string, url: string, payload: object) => {
      const res = await provinces.zj.app.inject({
        method: "POST",
        url: `/api/v1${url}`,
        headers: { authorization: `Bearer ${token}` },
        payload,
      });
      return { status: res.statusCode, body: res.json() };
    };
    if (!zjTokens) {
      const admin = await staffToken(zj, "zj.ecard.admin", "city_admin", "330100");
      const channel = await call(admin, "/ecard/channels", {
        code: "zj-ban-national",
        name: "浙里办",
        class: "government",
        level: 1,
        services: ["signup", "credential", "identity_code", "payment_code"],
      });
      assert.equal(channel.status, 201, JSON.stringify(channel.body));
      const clerk = await staffToken(zj, "zj.ecard.clerk", "outlet_clerk", "330100");
      zjTokens = { channel: channel.body.token as string, clerk };
    }
    const { channel, clerk } = zjTokens;
    const holder = existing ?? (await cardInState(zj, "active", { name: holderName }));
    await zj.national.deliver();
    const ticket = await call(clerk, "/ecard/counter-tickets", {
      idNumber: holder.idNumber,
      holderIdNumber: holder.idNumber,
    });
    const device = sm2.generateKeyPairHex();
    const made = await call(channel, "/ecard/signups", {
      name: holderName,
      idNumber: holder.idNumber,
      consentTextVersion: PRIVACY_TEXT_VERSION,
      realName: { name: holderName, idNumber: holder.idNumber },
      counterTicket: ticket.body.ticket,
      devicePublicKey: device.publicKey,
    });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const claims = JSON.parse(Buffer.from(made.body.credential.split(".")[0], "base64url").toString("utf8"));
    return {
      credential: made.body.credential as string,
      device,
      claims,
      cardNumber: holder.cardNumber,
      idNumber: holder.idNumber,
    };
  }

  it("issues e-cards as the national platform: a Zhejiang e-card's codes verify offline with what Jiangsu publishes", async () => {
    const zj = provinces.zj.deps;
    const signup = zjSignup;
    const national = await signup("全国电子卡");
    assert.equal(national.claims.iss, "national-ecard-1", "signed by the national platform");
    // Jiangsu's terminals verify it offline with the keys Jiangsu publishes (its own and the hub's).
    await provinces.js.deps.national.refreshIssuerKeys();
    const jsKeys = provinces.js.deps.ecard.issuerKeys();
    assert.ok(jsKeys["national-ecard-1"]);
    const now = Math.floor(clock.now().getTime() / 1000);
    const code = mintCode(national.credential, national.device.privateKey, "identity", now);
    const checked = verifyCode(code, { issuerKeys: jsKeys, status: new Map(), now }, "identity");
    assert.equal(checked.ok, true, JSON.stringify(checked));
    // The hub down: the e-card is still issued, under Zhejiang's own key, valid in Zhejiang only.
    await hubApp.close();
    const local = await signup("本省电子卡");
    await startHub();
    assert.match(local.claims.iss, /^sscard-ecard-/);
    const localCode = mintCode(local.credential, local.device.privateKey, "identity", now);
    assert.equal(
      verifyCode(localCode, { issuerKeys: zj.ecard.issuerKeys(), status: new Map(), now }, "identity").ok,
      true,
    );
    assert.equal(
      verifyCode(
        localCode,
        { issuerKeys: { "national-ecard-1": jsKeys["national-ecard-1"] }, status: new Map(), now },
        "identity",
      ).ok,
      false,
    );
    // Another province cannot have Zhejiang's cards signed: the hub names where the card is held.
    const stolen = await hubRequest("32", "POST", "/hub/v1/ecard-credentials", {
      cardNumber: national.cardNumber,
      credential: { ...national.claims, ar: "320100" },
    });
    assert.equal(stolen?.status, 409);
    assert.equal(stolen?.json.code, "NATIONAL_CARD_HELD");
    // Zhejiang's own card with an area that is not one of Zhejiang's (the hub's areas, a reference table).
    for (const ar of ["339999", "320100"]) {
      const wrongArea = await hubRequest("33", "POST", "/hub/v1/ecard-credentials", {
        cardNumber: national.cardNumber,
        credential: { ...national.claims, ar },
      });
      assert.deepEqual([wrongArea?.status, wrongArea?.json.code], [400, "VALIDATION_FAILED"], ar);
    }
  });

  it("keeps each e-card's state in the registry and signs the national status list: a Zhejiang e-card suspended there is refused offline in Jiangsu", async () => {
    const zj = provinces.zj.deps;
    const held = await zjSignup("全国状态表");
    assert.equal(held.claims.iss, "national-ecard-1");
    await zj.national.deliver();
    const hubCall = (path: string) => hubRequest("33", "GET", path);
    // The registry has the e-card from its issue: status version 1, usable.
    const route = await hubCall(`/hub/v1/cards/${held.cardNumber}`);
    assert.deepEqual(route?.json.ecard, { sv: 1, usable: true });

    // A Jiangsu pharmacy's terminal: its province's list with the national list inside, from the start.
    const js = provinces.js.deps;
    const terminal = await staffToken(js, "js.status.pharmacist", "pharmacy_operator", "320100");
    const jsKeys = async () => {
      await js.national.refreshIssuerKeys();
      return (
        await provinces.js.app.inject({
          method: "GET",
          url: "/api/v1/ecard/issuer-keys",
          headers: { authorization: `Bearer ${terminal}` },
        })
      ).json() as Record<string, string>;
    };
    const keys = await jsKeys();
    const statusOf = new Map<string, { sv: number; usable: boolean }>();
    let cursor = "";
    const poll = async () => {
      const res = await provinces.js.app.inject({
        method: "GET",
        url: `/api/v1/ecard/status-list?since=0&national=${encodeURIComponent(cursor)}`,
        headers: { authorization: `Bearer ${terminal}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      const list = res.json();
      assert.ok(verifySigned(list, list.publicKey), "Jiangsu's list is signed by Jiangsu");
      const national = list.national;
      assert.ok(national, "a federated province adds the national list");
      assert.equal(national.from, cursor);
      assert.ok(
        verifySigned(national, keys[national.keyId]),
        "signed with the national key Jiangsu publishes",
      );
      for (const e of national.entries) statusOf.set(e.eid, { sv: e.sv, usable: e.usable });
      cursor = national.to;
      return national;
    };
    const first = await poll();
    assert.ok(
      first.entries.every((e: { sv: number }) => e.sv > 1),
      "an e-card's first status is not a change: not listed",
    );
    const now = () => Math.floor(clock.now().getTime() / 1000);
    const offline = () =>
      verifyCode(
        mintCode(held.credential, held.device.privateKey, "identity", now()),
        { issuerKeys: keys, status: statusOf, now: now() },
        "identity",
      );
    assert.equal(offline().ok, true, "usable before the suspension");
    // Online, Jiangsu's terminal asks Zhejiang through the hub: the e-card as it is now, masked.
    const online = (
      purpose: "identity" | "payment",
      code = mintCode(held.credential, held.device.privateKey, purpose, now()),
    ) =>
      provinces.js.app
        .inject({
          method: "POST",
          url: "/api/v1/ecard/codes/verify",
          headers: { authorization: `Bearer ${terminal}` },
          payload: { code, purpose },
        })
        .then((res) => ({ status: res.statusCode, body: res.json() }));
    const seen = await online("identity");
    assert.equal(seen.status, 200, JSON.stringify(seen.body));
    assert.equal(seen.body.areaCode, held.claims.ar);
    assert.doesNotMatch(
      JSON.stringify(seen.body),
      new RegExp(held.cardNumber),
      "the card number stays masked",
    );
    const payCode = mintCode(held.credential, held.device.privateKey, "payment", now());
    assert.equal((await online("payment", payCode)).status, 200);
    const twice = await online("payment", payCode);
    assert.deepEqual(
      [twice.status, twice.body.code, twice.body.details?.reason],
      [422, "ECARD_CODE_REFUSED", "REPLAYED"],
    );

    // The holder suspends the e-card in Zhejiang's online hall.
    const login = await provinces.zj.app.inject({
      method: "POST",
      url: "/api/v1/holder/login",
      payload: { idNumber: held.idNumber, pin: initialPin(held.cardNumber, NATIONAL_DEFAULT_POLICY) },
    });
    assert.equal(login.statusCode, 200, login.body);
    const suspended = await provinces.zj.app.inject({
      method: "POST",
      url: "/api/v1/holder/ecard/suspension",
      headers: { authorization: `Bearer ${login.json().token}` },
      payload: { suspended: true },
    });
    assert.equal(suspended.statusCode, 200, suspended.body);
    // Before the delivery Jiangsu's terminal knows nothing of it; after, the next poll refuses the code.
    assert.equal((await poll()).entries.length, 0);
    assert.equal(offline().ok, true);
    await zj.national.deliver();
    const second = await poll();
    assert.deepEqual(
      second.entries.filter((e: { eid: string }) => e.eid === held.claims.eid),
      [{ eid: held.claims.eid, sv: 2, usable: false }],
    );
    const refused = offline();
    assert.equal(refused.ok, false);
    assert.equal(refused.ok === false && refused.reason, "STATUS_CHANGED");
    const onlineRefused = await online("identity");
    assert.deepEqual(
      [onlineRefused.status, onlineRefused.body.code, onlineRefused.body.details?.reason],
      [422, "ECARD_CODE_REFUSED", "STATUS_CHANGED"],
    );
    assert.deepEqual((await hubCall(`/hub/v1/cards/${held.cardNumber}`))?.json.ecard, {
      sv: 2,
      usable: false,
    });
    // The same delivery again (the outbox's at-least-once): listed once, the registry unchanged.
    const again = await hubRequest("33", "POST", "/hub/v1/changes", {
      ecards: [
        {
          ...(await hubCall(`/hub/v1/cards/${held.cardNumber}`).then((r) => ({
            cardNumber: held.cardNumber,
            state: r?.json.state,
            version: r?.json.version,
          }))),
          nationalIndex: nationalIndex(createSecretKey(indexKey), held.idNumber),
          ecardId: held.claims.eid,
          sv: 2,
          usable: false,
        },
      ],
    });
    assert.equal(again?.status, 200, JSON.stringify(again?.json));
    assert.equal(again?.json.listed, 0);
    assert.equal((await poll()).entries.length, 0, "nothing new after the replayed change");

    // Six batches of one province at once: each entry numbered once, in the order they committed.
    const burst = Array.from({ length: 6 }, (_, i) => ({
      nationalIndex: randomBytes(32).toString("hex"),
      cardNumber: newCardNumber(),
      state: "active" as const,
      version: 1,
      ecardId: randomBytes(16).toString("hex"),
      sv: 2,
      usable: i % 2 === 0,
    }));
    const applied = await Promise.all(
      burst.map((e) => hubRequest("33", "POST", "/hub/v1/changes", { ecards: [e] })),
    );
    assert.deepEqual(
      applied.map((a) => `${a?.status} ${a?.json.listed}`),
      Array(6).fill("200 1"),
    );
    const page = await poll();
    assert.deepEqual(
      page.entries.map((e: { eid: string }) => e.eid).sort(),
      burst.map((e) => e.ecardId).sort(),
    );
    const seqs = await (hubDb.db as unknown as Kysely<HubDatabase>)
      .selectFrom("hub_ecard_status")
      .select("seq")
      .where("province", "=", "33")
      .execute();
    const numbers = seqs.map((r) => Number(r.seq));
    assert.deepEqual(numbers, [...new Set(numbers)], "no number given twice");

    // Caught-up terminals share one signed answer within the second (SM2 signatures are randomised).
    // A change listed just before starts a new second at the hub.
    const fresh = await hubRequest("33", "POST", "/hub/v1/changes", {
      ecards: [{ ...burst[0], ecardId: randomBytes(16).toString("hex") }],
    });
    assert.equal(fresh?.json.listed, 1);
    const [one, two] = await Promise.all([
      hubRequest("32", "GET", `/hub/v1/ecard/status-list?since=${encodeURIComponent(cursor)}`),
      hubRequest("33", "GET", `/hub/v1/ecard/status-list?since=${encodeURIComponent(cursor)}`),
    ]);
    assert.equal(one?.status, 200);
    assert.equal(one?.json.signature, two?.json.signature, "one answer, signed once");

    // A terminal far behind gets the list a page at a time, provinces in order, and never an entry twice.
    const paged = createHubService({
      db: hubDb.db as never,
      repo: createHubRepository(),
      clock,
      ecardKey: ecardKey.toString("hex"),
      statusPage: 4,
    });
    const seenEids: string[] = [];
    let at = parseStatusCursor("")!;
    for (let page = 0; page < 20; page++) {
      const answer = await paged.statusList(at);
      assert.ok(answer.entries.length <= 4);
      assert.ok(verifySigned(answer, keys[answer.keyId]));
      seenEids.push(...answer.entries.map((e) => `${e.eid}:${e.sv}`));
      at = parseStatusCursor(answer.to)!;
      if (!answer.more) break;
    }
    assert.equal(new Set(seenEids).size, seenEids.length, "no entry twice");
    const everything = await hubDb.db
      .selectFrom("hub_ecard_status" as never)
      .select(sql`count(*)`.as("n"))
      .executeTakeFirstOrThrow();
    assert.equal(seenEids.length, Number((everything as { n: number }).n), "every entry once");
    assert.equal((await paged.statusList(at)).entries.length, 0);

    // The hub down: Jiangsu's own list is still served, without the national part; the cursor waits.
    await hubApp.close();
    try {
      const res = await provinces.js.app.inject({
        method: "GET",
        url: `/api/v1/ecard/status-list?since=0&national=${encodeURIComponent(cursor)}`,
        headers: { authorization: `Bearer ${terminal}` },
      });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().national, undefined);
    } finally {
      await startHub();
    }
    // A cursor naming no province of the mainland: a clear 400 in the caller's language.
    const bad = await provinces.js.app.inject({
      method: "GET",
      url: "/api/v1/ecard/status-list?national=99:1",
      headers: { authorization: `Bearer ${terminal}`, "accept-language": "zh-CN" },
    });
    assert.equal(bad.statusCode, 400, bad.body);
    assert.equal(bad.json().code, "VALIDATION_FAILED");
  });

  it("keeps a week of what the outbox delivered, and never prunes what waits", async () => {
    const zj = provinces.zj.deps;
    const sent = newIdNumber("330106", "1979-01-30");
    await register(zj, sent, "330100");
    await zj.cards.apply(SYSTEM_ACTOR, { idNumber: sent, areaCode: "330100" });
    await zj.national.deliver();
    const idNumber = newIdNumber("330106", "1979-01-31");
    await register(zj, idNumber, "330100");
    await hubApp.close();
    try {
      await zj.cards.apply(SYSTEM_ACTOR, { idNumber, areaCode: "330100" });
    } finally {
      await startHub();
    }
    const rows = () =>
      zj.database.db
        .selectFrom("national_outbox")
        .select((eb) => [eb.fn.countAll<number>().as("n"), "delivered_at"])
        .groupBy("delivered_at")
        .execute();
    const delivered = async () =>
      (await rows()).filter((r) => r.delivered_at !== null).reduce((n, r) => n + Number(r.n), 0);
    assert.ok((await delivered()) > 0);
    assert.equal(await zj.national.pruneDelivered(), 0, "nothing is a week old yet");
    const waiting = (await backlog(zj)).pending;
    assert.ok(waiting >= 1);
    clock.advance(8 * 86_400_000);
    try {
      const before = await delivered();
      assert.equal(await zj.national.pruneDelivered(), before);
      assert.equal(await delivered(), 0);
      assert.equal((await backlog(zj)).pending, waiting, "what waits is kept");
    } finally {
      clock.advance(-8 * 86_400_000);
    }
    clock.advance(31_000); // the lease of a failed delivery runs out
    assert.deepEqual(await zj.national.deliver(), { delivered: waiting, failed: 0 });
  });

  it("answers a signed request with hostile fields with a clear 400, never a 500", async () => {
    const nul = "key\u0000-0001";
    const settle = {
      cardNumber: "A00000001",
      items: [{ code: "XA01", quantity: 1, unitPriceFen: 100 }],
      idempotencyKey: "js-hostile-1",
      institution: { code: "JS-PH-1", name: "南京大药房" },
      terminalNo: "320100000701",
    };
    const cases: [string, string, object][] = [
      ["POST", "/hub/v1/settlements", { ...settle, idempotencyKey: nul }],
      ["POST", "/hub/v1/settlements", { ...settle, institution: { code: "JS\u0000", name: "x" } }],
      ["POST", "/hub/v1/settlements", { ...settle, ecardCode: "x".repeat(20) }],
      [
        "POST",
        "/hub/v1/settlements",
        { ...settle, items: [{ code: "XA01", quantity: 1e300, unitPriceFen: 1 }] },
      ],
      [
        "POST",
        "/hub/v1/online-checks",
        { cardNumber: "A00000001", name: "张\u0000三", role: "medical_operator" },
      ],
      ["POST", "/hub/v1/online-checks", { cardNumber: "A00000001", role: "ministry_admin; drop" }],
      [
        "POST",
        "/hub/v1/refunds",
        {
          ...settle,
          settlementId: "not-a-uuid",
          settlementKey: nul,
          items: undefined,
          cardNumber: undefined,
        },
      ],
      ["POST", "/hub/v1/changes", { changes: [], ecards: [] }],
      [
        "POST",
        "/hub/v1/changes",
        {
          ecards: [
            {
              nationalIndex: "0".repeat(64),
              cardNumber: "A00000001",
              state: "active",
              version: 1,
              ecardId: "0".repeat(32),
              sv: 2 ** 53,
              usable: true,
            },
          ],
        },
      ],
      ["GET", "/hub/v1/ecard/status-list?since=33:1,33:2", {}],
      ["GET", `/hub/v1/ecard/status-list?since=${"33:1,".repeat(200)}`, {}],
    ];
    for (const [method, path, body] of cases) {
      const r = await hubRequest("32", method as "GET" | "POST", path, method === "GET" ? undefined : body);
      assert.equal(r?.status, 400, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r?.json)}`);
      assert.equal(r?.json.code, "VALIDATION_FAILED");
    }
  });

  it("refuses requests not signed by a registered province, before reading their body", async () => {
    const url = `http://127.0.0.1:${hubPort}/hub/v1/reservations`;
    const at = clock.now().toISOString();
    const post = (
      headers: Record<string, string>,
      body = JSON.stringify({ nationalIndex: "0".repeat(64) }),
    ) => fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    const body_ = async (r: Response) => (await r.json()) as { code: string; details: { reason: string } };
    const none = await post({});
    assert.equal(none.status, 401);
    assert.equal((await body_(none)).code, "HUB_SIGNATURE_INVALID");
    const body = JSON.stringify({ nationalIndex: "0".repeat(64) });
    const sign = (province: string, key: Buffer, when = at, text = body) => ({
      "x-sscard-province": province,
      "x-sscard-at": when,
      "x-sscard-signature": signHubRequest(createSecretKey(key), {
        province,
        at: when,
        method: "POST",
        path: "/hub/v1/reservations",
        body: text,
      }),
    });
    // Zhejiang's key claiming to be Jiangsu; a stolen signature on another body; a replay an hour later.
    const forged = await post(sign("32", provinceKeys.get("33")!));
    assert.equal((await body_(forged)).details.reason, "signature");
    const swapped = await post(
      sign("33", provinceKeys.get("33")!),
      JSON.stringify({ nationalIndex: "1".repeat(64) }),
    );
    assert.equal(swapped.status, 401);
    const old = await post(
      sign("33", provinceKeys.get("33")!, new Date(clock.now().getTime() - 3600_000).toISOString()),
    );
    assert.equal((await body_(old)).details.reason, "time");
    const unknown = await post(sign("44", randomBytes(32)));
    assert.equal((await body_(unknown)).details.reason, "unknown_province");
    // Signed but malformed: a clear 400, not a 500.
    const bad = JSON.stringify({ nationalIndex: "x\u0000" });
    const malformed = await post(sign("33", provinceKeys.get("33")!, at, bad), bad);
    assert.equal(malformed.status, 400);
    assert.equal((await body_(malformed)).code, "VALIDATION_FAILED");
    const ok = await post(sign("33", provinceKeys.get("33")!));
    assert.equal(ok.status, 200);
  });
});

describe("sscard started as the national hub (SSCARD_ROLE=hub) on SQLite, a small hub", () => {
  it("creates the hub's schema, serves the signed API and refuses what is not signed", async () => {
    const { spawn } = await import("node:child_process");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "sscard-hub-"));
    const key = randomBytes(32);
    const child = spawn(process.execPath, ["src/main.ts"], {
      env: {
        ...process.env,
        SSCARD_ROLE: "hub",
        SSCARD_HUB_PROVINCES: `33=${key.toString("hex")}`,
        DATABASE_URL: `sqlite:${join(dir, "hub.db")}`,
        SSCARD_SECRETS_FILE: join(dir, "secrets.json"),
        SSCARD_CLOCK_START: "2026-11-22T02:00:00Z",
        PORT: "0",
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = "";
        child.stdout.on("data", (d) => {
          out += d;
          const m = /listening on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]);
        });
        child.on("exit", (code) => reject(new Error(`hub exited ${code}: ${out}`)));
      });
      assert.equal(((await (await fetch(`${url}/healthz`)).json()) as { role: string }).role, "hub");
      const body = JSON.stringify({ nationalIndex: "a".repeat(64) });
      const path = "/hub/v1/reservations";
      const post = (headers: Record<string, string>) =>
        fetch(`${url}${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body,
        });
      const unsigned = await post({});
      assert.equal(unsigned.status, 401);
      assert.match(((await unsigned.json()) as { message: string }).message, /签名无效/);
      // The hub runs on the clock it was started with (SSCARD_CLOCK_START), as the province's would.
      const at = "2026-11-22T02:00:01Z";
      const signed = await post({
        "x-sscard-province": "33",
        "x-sscard-at": at,
        "x-sscard-signature": signHubRequest(createSecretKey(key), {
          province: "33",
          at,
          method: "POST",
          path,
          body,
        }),
      });
      assert.equal(signed.status, 200);
      assert.deepEqual(await signed.json(), { reserved: true, province: "33" });
      const docs = await fetch(`${url}/docs/json`);
      const paths = Object.keys(((await docs.json()) as { paths: object }).paths);
      assert.deepEqual(paths.sort(), [
        "/hub/v1/cards/{cardNumber}",
        "/hub/v1/changes",
        "/hub/v1/duplicates",
        "/hub/v1/ecard-codes/verify",
        "/hub/v1/ecard-credentials",
        "/hub/v1/ecard/issuer-keys",
        "/hub/v1/ecard/status-list",
        "/hub/v1/netting",
        "/hub/v1/online-checks",
        "/hub/v1/refunds",
        "/hub/v1/reservations",
        "/hub/v1/settlements",
      ]);
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
