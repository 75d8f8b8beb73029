import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes, randomInt } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, it } from "node:test";
import { createDeps, type Deps } from "../src/deps.ts";
import { initialPin } from "../src/modules/credentials/pin.rules.ts";
import { softwareLmk } from "../src/modules/keys/lmk.ts";
import { SYSTEM_ACTOR } from "../src/shared/auth.ts";
import { chinaDate, startedClock } from "../src/shared/clock.ts";

import { createTestDb, forEachDialect } from "./db.ts";
import {
  cardInState,
  designatedPharmacy,
  seedAreas,
  seedCardKeys,
  staffToken,
  testSecrets,
} from "./fixtures.ts";

/** This process and the servers it starts run on a clock started at a fixed instant, not the machine's. */
const clock = startedClock("2026-11-22T02:00:00Z");

/**
 * The server process killed with SIGKILL in the middle of a settlement load, again and again: after
 * each restart no settlement is half-applied, the ledger balances, the audit chain is intact, every
 * acknowledged settlement is there, and retrying the unanswered ones with their keys pays each once.
 */
forEachDialect("settlements survive SIGKILL", (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), "sscard-crash-"));
  const secrets = testSecrets();
  let url = "";
  let deps: Deps;
  let closeDb: () => Promise<void>;
  let token = "";
  const holders: { cardNumber: string; pin: string }[] = [];
  const TERMINAL = "330100000801";

  const lmk = randomBytes(32);
  before(async () => {
    const database = await createTestDb(dialect);
    url = database.url;
    closeDb = () => database.close();
    deps = createDeps(
      database,
      { secrets, sessionTtlMinutes: 480, sessionIdleMinutes: 60, authCacheSeconds: 5 },
      clock,
      { lmk: softwareLmk(lmk) },
    );
    // The server opens the same LMK: its first start imports the PIN root under it.
    writeFileSync(join(dir, "lmk.json"), JSON.stringify({ lmk: lmk.toString("hex") }), { mode: 0o600 });
    await seedAreas(deps);
    await seedCardKeys(deps);
    const pharmacy = await designatedPharmacy(deps, "HZ-CRASH", TERMINAL);
    const month = chinaDate(clock.now()).slice(0, 7);
    for (let i = 0; i < 6; i++) {
      const c = await cardInState(deps, "active");
      await deps.medical.payContribution(SYSTEM_ACTOR, {
        idNumber: c.idNumber,
        month,
        payer: "self",
        gradePercent: 300,
      });
      holders.push({
        cardNumber: c.cardNumber,
        pin: initialPin(c.cardNumber, { initialPassword: { rule: "card_number_last6" } }),
      });
    }
    await deps.medical.transferMonth(SYSTEM_ACTOR, month);
    token = await staffToken(deps, "crash.pharmacy", "pharmacy_operator", "330100", {
      institutionId: pharmacy.id,
    });
  });
  after(async () => {
    await closeDb?.();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The server as its own process; after its first start without SSCARD_PIN_KEY (the LMK holds the PIN root). */
  function start(withPinKey = false): Promise<{ child: ChildProcess; base: string }> {
    const child = spawn(process.execPath, ["src/main.ts"], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        PORT: "0",
        WORKERS: "1",
        LOG_LEVEL: "warn",
        SSCARD_CLOCK_START: clock.now().toISOString(),
        SSCARD_LMK_FILE: join(dir, "lmk.json"),
        SSCARD_DATA_KEY: secrets.dataKey.toString("hex"),
        SSCARD_INDEX_KEY: secrets.indexKey.toString("hex"),
        SSCARD_TOKEN_KEY: secrets.tokenKey.toString("hex"),
        SSCARD_PIN_KEY: withPinKey ? secrets.pinKey!.toString("hex") : "",
        SSCARD_SIGNING_KEY: secrets.signingKey.toString("hex"),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr!.on("data", (c) => {
      out += c;
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
      child.stdout!.on("data", (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ child, base: m[1] });
        }
      });
      child.on("exit", (code) => reject(new Error(`server exited ${code}: ${out}`)));
    });
  }

  type Sent = {
    key: string;
    body: object;
    status?: number;
    answer?: { settlementId: string; totals: object };
  };

  async function send(base: string, s: Sent) {
    const res = await fetch(`${base}/api/v1/settlements`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify(s.body),
    });
    s.status = res.status;
    s.answer = (await res.json()) as Sent["answer"];
  }

  it("after every kill: acknowledged settlements present, none half-applied, books balanced, chain intact; retries pay once", async () => {
    const sent: Sent[] = [];
    let seq = 0;
    for (let cycle = 0; cycle < 3; cycle++) {
      const { child, base } = await start(cycle === 0);
      const exited = new Promise((resolve) => child.on("exit", resolve));
      // Retry what the last crash left unanswered, with the same keys.
      for (const s of sent.filter((x) => x.status === undefined)) {
        await send(base, s);
        assert.equal(s.status, 200, `retry of ${s.key}: ${JSON.stringify(s.answer)}`);
      }
      let killed = false;
      const load = Array.from({ length: 6 }, async () => {
        while (!killed) {
          const h = holders[randomInt(holders.length)];
          const s: Sent = {
            key: `crash-${dialect}-${++seq}`,
            body: {
              terminalNo: TERMINAL,
              idempotencyKey: `crash-${dialect}-${seq}`,
              card: { cardNumber: h.cardNumber, pin: h.pin },
              items: [
                { code: "XA01", quantity: randomInt(1, 4), unitPriceFen: 1000 },
                { code: "XB01", quantity: 1, unitPriceFen: randomInt(100, 5000) },
              ],
            },
          };
          s.key = (s.body as { idempotencyKey: string }).idempotencyKey;
          sent.push(s);
          try {
            await send(base, s);
            assert.equal(s.status, 200, JSON.stringify(s.answer));
          } catch (err) {
            if (!killed) throw err;
            s.status = undefined; // no answer: the process died first
          }
        }
      });
      await new Promise((r) => setTimeout(r, randomInt(400, 1500)));
      killed = true;
      child.kill("SIGKILL");
      await Promise.all(load);
      await exited;
      await checkBooks(sent);
    }
    const { child } = await start();
    const exited = new Promise((resolve) => child.on("exit", resolve));
    child.kill("SIGTERM");
    await exited;
    assert.ok(sent.filter((s) => s.status === 200).length > 20, "the load ran");
  });

  async function checkBooks(sent: Sent[]) {
    const db = deps.database.db;
    const settlements = await db.selectFrom("settlements").selectAll().execute();
    const byKey = new Map(settlements.map((s) => [s.idempotency_key, s]));
    for (const s of sent.filter((x) => x.status === 200)) {
      const row = byKey.get(s.key);
      assert.ok(row, `acknowledged ${s.key} is present`);
      assert.equal(row.id, s.answer!.settlementId);
    }
    const items = await db.selectFrom("settlement_items").selectAll().execute();
    const entries = await db.selectFrom("ledger_entries").selectAll().execute();
    assert.equal(
      entries.reduce((a, e) => a + Number(e.amount_fen), 0),
      0,
      "the ledger balances",
    );
    for (const s of settlements) {
      const own = items.filter((i) => i.settlement_id === s.id);
      assert.ok(own.length > 0, "items with their settlement");
      assert.equal(
        own.reduce((a, i) => a + Number(i.account_fen), 0),
        Number(s.account_fen),
        "no half-written settlement",
      );
      const journal = entries.filter(
        (e) => e.journal_id === s.journal_id && e.account.startsWith("personal:"),
      );
      assert.equal(
        journal.reduce((a, e) => a + Number(e.amount_fen), 0) + Number(s.account_fen),
        0,
        "its journal takes the account part off the personal account",
      );
    }
    for (const a of await db.selectFrom("medical_accounts").selectAll().execute()) {
      const sum = entries
        .filter((e) => e.account === `personal:${a.person_id}`)
        .reduce((x, e) => x + Number(e.amount_fen), 0);
      assert.equal(Number(a.balance_fen), sum, "balance = its entries");
      assert.ok(Number(a.balance_fen) >= 0, "never negative");
    }
    const audited = await db
      .selectFrom("audit_log")
      .select("subject_id")
      .where("action", "=", "medical.settle")
      .execute();
    assert.equal(audited.length, settlements.length, "one audit record per settlement");
    const chain = await deps.audit.verify();
    assert.equal(chain.ok, true, JSON.stringify(chain));
  }
});
