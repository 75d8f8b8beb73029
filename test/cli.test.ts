import assert from "node:assert/strict";
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { after, describe, it } from "node:test";
import { sm2 } from "sm-crypto-v2";
import { ecardIssuerKeyId } from "../src/modules/ecard/ecard.service.ts";
import { mintCode, signCredential } from "../src/modules/ecard/ecard-code.ts";
import { purposeKey } from "../src/modules/keys/signer.ts";
import { makeIdNumber } from "../src/modules/persons/id-number.rules.ts";
import { ROLES } from "../src/shared/auth.ts";

const dir = mkdtempSync(join(tmpdir(), "sscard-cli-"));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The CLI and the server run on a clock started here, never the machine's. */
const START = "2026-11-22T02:00:00Z";
const env = {
  ...process.env,
  SSCARD_CLOCK_START: START,
  DATABASE_URL: `sqlite:${join(dir, "cli.db")}`,
  SSCARD_SECRETS_FILE: join(dir, "secrets.json"),
  LANG: "en_US.UTF-8",
  SSCARD_LMK_FILE: join(dir, "lmk.json"),
};

function sscard(...args: string[]) {
  const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args], { env, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The CLI on the shared database (where a test has a machine of its own under the same name). */
const sharedSscard = (...args: string[]) => sscard(...args);

describe("sscard CLI", () => {
  it("speaks the phone lines' fixed prompts once into the switch's sound directory", {
    skip: spawnSync("espeak-ng", ["--version"]).error !== undefined && "espeak-ng missing",
  }, () => {
    const sounds = join(dir, "sounds");
    const made = sscard("phone", "prompts", "--dir", sounds);
    assert.equal(made.code, 0, made.err);
    const count = Number(/^(\d+) prompts/.exec(made.out)?.[1]);
    assert.ok(count >= 30, made.out);
    const files = spawnSync("find", [sounds, "-name", "*.wav"], { encoding: "utf8" })
      .stdout.trim()
      .split("\n");
    assert.equal(files.length, count, "one file per prompt and language");
    assert.match(sscard("phone", "prompts").err, /needs --dir/);
  });

  it("migrates, creates the first administrator, seeds the demo and verifies the audit chain", () => {
    assert.match(sscard("db", "status").out, /pending: 0001_foundation/);
    assert.match(sscard("db", "migrate").out, /applied: 0001_foundation/);
    assert.equal(sscard("db", "status").code, 0);
    const admin = sscard("admin", "create", "--username", "root");
    assert.equal(admin.code, 0, admin.err);
    assert.match(admin.out, /password \(shown once\): \S{12,}/);
    const again = sscard("admin", "create", "--username", "root");
    assert.equal(again.code, 3);
    assert.match(again.err, /STAFF_EXISTS/);
    const demo = sscard("demo", "seed");
    assert.equal(demo.code, 0, demo.err);
    for (const role of ROLES) {
      assert.match(demo.out, new RegExp(`\\S+\\s+Demo-\\S+\\s+${role}`), role);
    }
    assert.match(demo.out, /\d{17}[\dX]\s+\S+\s+area 3301/);
    assert.match(demo.out, /Demo kiosk: open \/kiosk and type the key \S+ once/);
    // The demo's own key ceremonies, and the chips its simulated factory made (0600: they hold keys).
    assert.match(
      demo.out,
      /LMK ceremony run with two demo custodians' random components, written to .*lmk\.json/,
    );
    assert.equal(statSync(env.SSCARD_LMK_FILE).mode & 0o777, 0o600);
    const chips = /demo chips in (\S+)/.exec(demo.out)![1];
    const chipFiles = readdirSync(chips);
    assert.equal(chipFiles.length, 4);
    assert.equal(statSync(join(chips, chipFiles[0])).mode & 0o777, 0o600);
    assert.match(JSON.parse(readFileSync(join(chips, chipFiles[0]), "utf8")).ef05["1"], /^330100D156000005/);
    const demoTerminal = JSON.parse(/echo '(\{.*?\})' > demo-kiosk\.json/.exec(demo.out)![1]);
    assert.match(demoTerminal.pinKey, /^[0-9a-f]{32}$/, "the demo kiosk's terminal file for the agent");
    // A kiosk registered by an administrator: the terminal, its key (printed once), its terminal file (0600).
    const kioskFile = join(dir, "kiosk.json");
    const registerKiosk = (terminal: string, name: string, out: string, ...more: string[]) =>
      sscard(
        "kiosk",
        "register",
        "--terminal",
        terminal,
        "--area",
        "330100",
        "--name",
        name,
        "--out",
        out,
        ...more,
      );
    const kiosk = registerKiosk("330100900002", "西湖网点", kioskFile);
    assert.equal(kiosk.code, 0, kiosk.err);
    assert.match(kiosk.out, /kiosk key \(shown once.*\): \S+/);
    assert.equal(statSync(kioskFile).mode & 0o777, 0o600, "the PIN key's file is the owner's only");
    const terminalFile = JSON.parse(readFileSync(kioskFile, "utf8"));
    assert.deepEqual([terminalFile.terminalNo, terminalFile.regions], ["330100900002", ["33"]]);
    assert.match(terminalFile.pinKey, /^[0-9a-f]{32}$/);
    assert.notEqual(terminalFile.pinKey, demoTerminal.pinKey, "one PIN key per kiosk");
    assert.match(registerKiosk("330100900002", "x", kioskFile).err, /TERMINAL_EXISTS/);
    // A kiosk in the demo hospital: its terminal belongs to the institution.
    const hospital = registerKiosk(
      "330100900003",
      "杭州市第一人民医院自助机",
      join(dir, "kiosk-hospital.json"),
      "--institution",
      "HZ-HO-DEMO01",
    );
    assert.equal(hospital.code, 0, hospital.err);
    const attached = new DatabaseSync(join(dir, "cli.db"))
      .prepare(
        "select i.code from terminals t join institutions i on i.id = t.institution_id where t.terminal_no = ?",
      )
      .get("330100900003") as { code: string } | undefined;
    assert.equal(attached?.code, "HZ-HO-DEMO01");
    const nowhere = registerKiosk("330100900004", "x", join(dir, "k4.json"), "--institution", "NOPE");
    assert.match(nowhere.err, /INSTITUTION_NOT_FOUND/);
    const none = new DatabaseSync(join(dir, "cli.db"))
      .prepare("select count(*) as n from terminals where terminal_no = ?")
      .get("330100900004") as { n: number };
    assert.equal(none.n, 0, "nothing registered for an unknown institution");
    const verify = sscard("audit", "verify");
    assert.equal(verify.code, 0, verify.err);
    assert.match(verify.out, /audit chain intact: \d+ records/);
    const sealed = sscard("audit", "checkpoint");
    assert.equal(sealed.code, 0, sealed.err);
    assert.match(sealed.out, /checkpoint signed: head \d+:[0-9a-f]{64}/);
    assert.match(sscard("audit", "checkpoint").out, /nothing to seal/);
    assert.match(
      sscard("audit", "verify").out,
      /sealed by 1 signed checkpoints up to \d+ \(last 2026-11-22T02:00:00\.\d+Z\); 0 records after it/,
    );
  });

  it("refuses to verify the audit chain of a database that does not exist (and creates none)", () => {
    const missing = join(dir, "no-such.db");
    const r = spawnSync(process.execPath, ["src/cli/main.ts", "audit", "verify"], {
      env: { ...env, DATABASE_URL: `sqlite:${missing}` },
      encoding: "utf8",
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no database at .*no-such\.db/);
    assert.equal(existsSync(missing), false);
  });

  it("reports the first bad record after tampering and exits 1", () => {
    const raw = new DatabaseSync(env.DATABASE_URL.slice("sqlite:".length));
    raw.exec("drop trigger audit_log_no_update");
    raw.exec("update audit_log set actor_id = 'someone-else' where seq = 3");
    raw.close();
    const verify = sscard("audit", "verify");
    assert.equal(verify.code, 1);
    assert.match(verify.err, /record 3: hash mismatch/);
  });

  it("runs the card batch commands: employer applications with progress, factory file, return file, daily job", () => {
    const ids = [makeIdNumber("330106", "1991-01-01", 11), makeIdNumber("330106", "1992-02-02", 12), "123"];
    const csv = join(dir, "employees.csv");
    writeFileSync(
      csv,
      [
        "id_number,name,ethnicity,employer_code,employer_name",
        ...ids.map((id, i) => `${id},员工${i},01,91330100MA27XL0E2G,某公司`),
      ].join("\n"),
    );
    const apply = sscard(
      "cards",
      "apply-batch",
      "--area",
      "330100",
      "--file",
      csv,
      "--report",
      join(dir, "report.json"),
    );
    assert.equal(apply.code, 0, apply.err);
    assert.match(apply.out, /2 accepted, 1 rejected/);
    assert.match(apply.out, /line 4: invalid ID number: it must have 18 characters/);
    assert.match(apply.err, /2 \/ 2 rows \(100%\)/);
    const out = join(dir, "factory.csv");
    const production = sscard("cards", "production", "--area", "330100", "--out", out);
    assert.equal(production.code, 0, production.err);
    const batchId = /batch (\S+): 2 cards/.exec(production.out)![1];
    const factory = readFileSync(out, "utf8").trim().split("\n");
    assert.equal(factory.length, 3);
    const perso = readFileSync(`${out}.personalisation.jsonl`, "utf8").trim().split("\n");
    assert.deepEqual(
      perso.map((l) => JSON.parse(l).transportKey),
      ["tk-factory-330100-SM4-v1", "tk-factory-330100-SM4-v1"],
      "the demo's key ceremonies gave Hangzhou a factory transport key",
    );
    const back = join(dir, "return.csv");
    writeFileSync(
      back,
      [
        "card_id_code,result,reason,chip_serial",
        ...factory.slice(1).map((l) => `${l.split(",")[1]},ok,,${l.split(",")[1].slice(-16)}`),
      ].join("\n"),
    );
    const ret = sscard("cards", "return", "--batch", batchId, "--file", back);
    assert.match(ret.out, /2 accepted, 0 rejected/);
    const daily = sscard("cards", "daily", "--date", "2026-11-23");
    assert.match(daily.out, /2026-11-23: 0 expired/);
    assert.match(sscard("cards", "duplicates").out, /no person holds more than one card/);
  });

  it("hands a province its sub-key from the ministry's machine to the province's under their transport key; the province derives its city and makes its local key", () => {
    // Two machines: the ministry's and the province's, each with its own database and LMK.
    const machine = (name: string) => {
      const run = (...args: string[]) => {
        const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args], {
          env: {
            ...env,
            DATABASE_URL: `sqlite:${join(dir, `${name}.db`)}`,
            SSCARD_LMK_FILE: join(dir, `${name}-lmk.json`),
          },
          encoding: "utf8",
        });
        return { code: r.status, out: r.stdout, err: r.stderr };
      };
      assert.equal(run("db", "migrate").code, 0);
      return run;
    };
    const components = (name: string, pairs: string[][]) => {
      const f = join(dir, `${name}.json`);
      writeFileSync(f, JSON.stringify({ components: pairs.map(([custodian, hex]) => ({ custodian, hex })) }));
      return f;
    };
    const ministry = machine("ministry");
    const province = machine("province");
    for (const [run, seed] of [
      [ministry, "55"],
      [province, "66"],
    ] as const)
      assert.equal(
        run(
          "keys",
          "ceremony",
          "--lmk",
          "--file",
          components(`lmk-${seed}`, [
            ["甲", seed.repeat(32)],
            ["乙", "77".repeat(32)],
          ]),
        ).code,
        0,
      );
    assert.equal(
      ministry(
        "keys",
        "ceremony",
        "--national",
        "external_auth",
        "--file",
        components("nat", [
          ["王五", "0123456789ABCDEF0123456789ABCDEF"],
          ["赵六", "FEDCBA9876543210FEDCBA9876543210"],
        ]),
      ).code,
      0,
    );
    // The transport key: the same components entered at each machine by the same custodians.
    const tk = components("tk", [
      ["部级保管员", "A1".repeat(16)],
      ["省级保管员", "B2".repeat(16)],
    ]);
    for (const run of [ministry, province]) {
      const r = run("keys", "transport", "--party", "ministry", "--area", "330000", "--file", tk);
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /imported tk-ministry-330000-SM4-v1/);
    }
    const out = join(dir, "handover-330000.json");
    const exported = ministry(
      "keys",
      "handover",
      "--export",
      "--national",
      "external_auth",
      "--province",
      "330000",
      "--out",
      out,
    );
    assert.equal(exported.code, 0, exported.err);
    const sent = JSON.parse(readFileSync(out, "utf8"));
    assert.equal(statSync(out).mode & 0o777, 0o600);
    assert.match(sent.wrapped, /^[0-9A-F]{32}$/);
    const imported = province("keys", "handover", "--import", "--file", out);
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, new RegExp(`imported area-330000-external_auth-SM4-v1, KCV ${sent.kcv}`));
    const city = province(
      "keys",
      "derive",
      "--from-province",
      "--national",
      "external_auth",
      "--province",
      "330000",
      "--city",
      "330100",
    );
    assert.equal(city.code, 0, city.err);
    const local = province("keys", "local", "--area", "330100");
    assert.match(local.out, /generated local-330100-EXT-SM4-v1, KCV [0-9A-F]{6}/);
    assert.doesNotMatch(province("keys", "list").out, /nat-/, "the province holds no national key");
    writeFileSync(
      out,
      JSON.stringify({
        ...sent,
        wrapped:
          `${sent.wrapped.slice(0, -2)}00` === sent.wrapped
            ? `${sent.wrapped.slice(0, -2)}11`
            : `${sent.wrapped.slice(0, -2)}00`,
        type: "internal_auth",
      }),
    );
    const tampered = province("keys", "handover", "--import", "--file", out);
    assert.equal(tampered.code, 1);
    assert.match(tampered.err, /KEY_CHECK_FAILED/);
  });

  it("runs key ceremonies under dual control and keeps only wrapped keys", () => {
    // Its own machine: the demo seeded the shared database's with its own ceremonies.
    const sscard = (...args: string[]) => {
      const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args], {
        env: {
          ...env,
          DATABASE_URL: `sqlite:${join(dir, "keys.db")}`,
          SSCARD_LMK_FILE: join(dir, "keys-lmk.json"),
        },
        encoding: "utf8",
      });
      return { code: r.status, out: r.stdout, err: r.stderr };
    };
    assert.equal(sscard("db", "migrate").code, 0);
    const file = (components: string[][]) => {
      const f = join(dir, `components-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(
        f,
        JSON.stringify({ components: components.map(([custodian, hex]) => ({ custodian, hex })) }),
      );
      return f;
    };
    const same = sscard(
      "keys",
      "ceremony",
      "--lmk",
      "--file",
      file([
        ["张三", "11".repeat(32)],
        ["张三", "22".repeat(32)],
      ]),
    );
    assert.equal(same.code, 1);
    assert.match(same.err, /one custodian cannot enter two components/);
    const lmk = sscard(
      "keys",
      "ceremony",
      "--lmk",
      "--file",
      file([
        ["张三", "11".repeat(32)],
        ["李四", "22".repeat(32)],
      ]),
    );
    assert.equal(lmk.code, 0, lmk.err);
    assert.match(lmk.out, /component of 张三: KCV [0-9A-F]{6}/);
    assert.match(lmk.out, /LMK written to .*lmk\.json, KCV [0-9A-F]{6}/);
    assert.match(
      sscard(
        "keys",
        "ceremony",
        "--lmk",
        "--file",
        file([
          ["a", "33".repeat(32)],
          ["b", "44".repeat(32)],
        ]),
      ).err,
      /an LMK exists/,
    );
    const nat = sscard(
      "keys",
      "ceremony",
      "--national",
      "external_auth",
      "--file",
      file([
        ["王五", "0123456789ABCDEF0123456789ABCDEF"],
        ["赵六", "FEDCBA9876543210FEDCBA9876543210"],
      ]),
    );
    assert.equal(nat.code, 0, nat.err);
    // 0123…EF ⊕ FEDC…10 = FFFF…FF
    assert.match(nat.out, /imported nat-external_auth-SM4-v1, KCV [0-9A-F]{6}/);
    const derive = sscard(
      "keys",
      "derive",
      "--national",
      "external_auth",
      "--province",
      "330000",
      "--city",
      "330100",
    );
    assert.equal(derive.code, 0, derive.err);
    assert.match(sscard("keys", "list").out, /area-330100-external_auth-SM4-v1/);
    sscard(
      "keys",
      "ceremony",
      "--national",
      "internal_auth",
      "--file",
      file([
        ["王五", "11".repeat(16)],
        ["赵六", "22".repeat(16)],
      ]),
    );
    sscard("keys", "derive", "--national", "internal_auth", "--province", "330000", "--city", "330100");
    // A PSAM from the demo's machine (the shared database has the demo's areas and keys).
    assert.match(
      sharedSscard(
        "terminals",
        "register",
        "--terminal",
        "330100000009",
        "--area",
        "330100",
        "--name",
        "药店",
      ).out,
      /registered/,
    );
    const psamFile = join(dir, "psam.json");
    const psam = sharedSscard("psam", "issue", "--terminal", "330100000009", "--out", psamFile);
    assert.equal(psam.code, 0, psam.err);
    assert.match(psam.out, /PSAM PSAM[0-9A-F]{16} for terminal 330100000009/);
    const [set] = JSON.parse(readFileSync(psamFile, "utf8")).keySets;
    assert.equal(set.version, 1);
    assert.deepEqual(Object.keys(set.keys).sort(), ["external_auth", "internal_auth", "purchase"]);
  });

  it("takes ceremony components typed by custodians one after another", () => {
    const lmkFile = join(dir, "typed-lmk.json");
    const typed = `alice\n${"11".repeat(32)}\nbob\n${"22".repeat(32)}\n`;
    const r = spawnSync(process.execPath, ["src/cli/main.ts", "keys", "ceremony", "--lmk"], {
      env: { ...env, SSCARD_LMK_FILE: lmkFile },
      encoding: "utf8",
      input: typed,
    });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /component of alice: KCV [0-9A-F]{6}\ncomponent of bob: KCV [0-9A-F]{6}/);
    assert.equal(JSON.parse(readFileSync(lmkFile, "utf8")).lmk, "33".repeat(32));
  });

  it("imports a catalogue (a bad file imports nothing) and credits a month's account share once", () => {
    const bad = join(dir, "bad-catalogue.csv");
    writeFileSync(bad, "code,name,class,self_pay_percent\nX1,某药,B,0\n");
    const refused = sscard(
      "medical",
      "catalogue",
      "--file",
      bad,
      "--name",
      "坏目录",
      "--effective",
      "2026-12-01",
    );
    assert.equal(refused.code, 1);
    assert.match(refused.out, /nothing imported: 1 problems\n {2}line 2 self_pay_percent: class B/);
    const good = join(dir, "catalogue.csv");
    writeFileSync(good, "code,name,class,self_pay_percent\nX1,某药,B,15\nX2,另一药,A,0\n");
    const imported = sscard(
      "medical",
      "catalogue",
      "--file",
      good,
      "--name",
      "目录",
      "--effective",
      "2026-12-01",
      "--sample",
    );
    assert.equal(imported.code, 0, imported.err);
    assert.match(imported.out, /catalogue version \d+: 2 items, in force from 2026-12-01 \(sample data\)/);
    // The demo seeded last month's contribution and credited it: a run now credits nothing again.
    // The CLI's clock starts at START (2026-11-22): last month is 2026-10.
    const last = "2026-10";
    const transfer = sscard("medical", "transfer", "--month", last);
    assert.equal(transfer.code, 0, transfer.err);
    assert.match(transfer.out, new RegExp(`month ${last}: 0 accounts credited`));
  });

  it("prints help for an unknown command", () => {
    const r = sscard("frobnicate");
    assert.equal(r.code, 2);
    assert.match(r.out, /Usage: npm run sscard/);
  });

  it("verifies an e-card code offline with the platform's issuer key: a good one, and a tampered one refused", () => {
    const secrets = JSON.parse(readFileSync(join(dir, "secrets.json"), "utf8"));
    const device = sm2.generateKeyPairHex();
    const now = Math.floor(Date.parse(START) / 1000);
    const credential = signCredential(
      {
        v: 1,
        iss: ecardIssuerKeyId(1),
        eid: "0123456789abcdef0123456789abcdef",
        dk: device.publicKey,
        nm: "张*",
        cn: "A1****78",
        ar: "330100",
        sv: 1,
        ch: "zj-ban",
        iat: now,
        exp: now + 3600,
      },
      // The e-card credential key: the signing key's key for that purpose (one key per purpose).
      purposeKey(Buffer.from(secrets.SSCARD_SIGNING_KEY, "hex"), "ecard-credential", 1).toString("hex"),
    );
    const code = mintCode(credential, device.privateKey, "payment", now);
    const good = sscard("ecard", "verify", code, "--type", "payment");
    assert.equal(good.code, 0, good.err);
    assert.match(good.out, /valid payment code: 张\* A1\*\*\*\*78/);
    const other = sm2.generateKeyPairHex();
    const bad = sscard("ecard", "verify", mintCode(credential, other.privateKey, "payment", now));
    assert.equal(bad.code, 1);
    assert.match(bad.out, /refused: BAD_DEVICE_SIGNATURE/);
  });
});

describe("npm start", () => {
  it("starts on the embedded database with --demo, serves /readyz, and stops cleanly on SIGTERM", async () => {
    const child: ChildProcess = spawn(process.execPath, ["src/main.ts", "--demo"], {
      env: { ...env, DATABASE_URL: `sqlite:${join(dir, "server.db")}`, PORT: "0", LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr!.on("data", (c) => {
      out += c;
    });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
      child.stdout!.on("data", (c) => {
        out += c;
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    assert.match(out, /hz\.clerk\s+Demo-/);
    const ready = await fetch(`${url}/readyz`);
    assert.equal(ready.status, 200);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "hz.clerk", password: /hz\.clerk\s+(\S+)/.exec(out)![1] }),
    });
    assert.equal(login.status, 200);
    // A request whose body is still arriving when SIGTERM comes must still be answered.
    const body = JSON.stringify({ username: "hz.clerk", password: "wrong-password-1" });
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = request(`${url}/api/v1/auth/login`, {
        method: "POST",
        agent: false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      });
      req.on("response", (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on("error", reject);
      req.write(body.slice(0, 10));
      setTimeout(() => {
        child.kill("SIGTERM");
        setTimeout(() => req.end(body.slice(10)), 300);
      }, 300);
    });
    assert.equal(await inFlight, 401, "the request in flight is answered");
    const code = await new Promise((resolve) => child.on("exit", resolve));
    assert.equal(code, 0);
  });

  it("with WORKERS=2 replaces a worker killed with SIGKILL, and /readyz says how many serve", async () => {
    const child: ChildProcess = spawn(process.execPath, ["src/main.ts"], {
      env: {
        ...env,
        DATABASE_URL: `sqlite:${join(dir, "workers.db")}`,
        PORT: "0",
        LOG_LEVEL: "warn",
        WORKERS: "2",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stderr!.on("data", (c) => {
      out += c;
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 30_000);
        child.stdout!.on("data", (c) => {
          out += c;
          const m = /listening on (http:\/\/\S+)\s.*2 workers/.exec(out);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const ready = async () =>
        (await (await fetch(`${url}/readyz`)).json()) as { workers: { serving: number }; pid: number };
      const first = await ready();
      assert.deepEqual(first.workers, { serving: 2, configured: 2 });
      process.kill(first.pid, "SIGKILL");
      // The other worker answers meanwhile; within the back-off a new one serves beside it.
      let now = await ready();
      const deadline = performance.now() + 15_000;
      // The primary notices the death (and says so) before or after this worker answers: wait for both.
      const noticed = () => out.includes(`worker ${first.pid} exited`);
      while ((now.workers.serving < 2 || !noticed()) && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        now = await ready();
      }
      assert.deepEqual(now.workers, { serving: 2, configured: 2 }, out);
      assert.match(out, new RegExp(`worker ${first.pid} exited with SIGKILL; 1 of 2 serve`));
      const pids = new Set<number>();
      for (let i = 0; i < 20; i++) pids.add((await ready()).pid);
      assert.ok(!pids.has(first.pid), "the killed worker is gone");
    } finally {
      child.kill("SIGTERM");
      await new Promise((resolve) => child.on("exit", resolve));
    }
  });
});
