import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createTestDb, forEachDialect } from "../../../test/db.ts";
import { deriveChain, keyCheckValue } from "./derivation.ts";
import { createHsm } from "./hsm.ts";
import { KeyBlockError, unwrapKey, wrapKey } from "./key-block.ts";
import { createKeysRepository } from "./keys.repository.ts";
import { importPkcs11Lmk, openPkcs11Lmk, type Pkcs11Config } from "./pkcs11-lmk.ts";

const MODULE = process.env.SSCARD_PKCS11_MODULE ?? "/usr/lib/softhsm/libsofthsm2.so";

/** Why the SoftHSM2 tests cannot run here (CI installs softhsm2 and sets SSCARD_REQUIRE_PKCS11=1). */
function unavailable(): string | undefined {
  if (!existsSync(MODULE)) return `no PKCS#11 module at ${MODULE} (apt-get install softhsm2)`;
  try {
    createRequire(import.meta.url)("pkcs11js");
  } catch {
    return "the pkcs11js addon is not built";
  }
  return undefined;
}
const missing = unavailable();
if (missing && process.env.SSCARD_REQUIRE_PKCS11 === "1")
  throw new Error(`PKCS#11 tests required: ${missing}`);

/**
 * A fresh SoftHSM2 token in a temporary directory, made once per process before the library is
 * initialised (SOFTHSM2_CONF points it at the directory); each database dialect uses its own LMK label.
 */
function softHsmToken(): Omit<Pkcs11Config, "keyLabel"> {
  const dir = mkdtempSync(join(tmpdir(), "sscard-softhsm-"));
  mkdirSync(join(dir, "tokens"));
  writeFileSync(
    join(dir, "softhsm2.conf"),
    `directories.tokendir = ${dir}/tokens\nobjectstore.backend = file\n`,
  );
  process.env.SOFTHSM2_CONF = join(dir, "softhsm2.conf");
  const token = `sscard-${randomBytes(3).toString("hex")}`;
  execFileSync(
    "softhsm2-util",
    ["--init-token", "--free", "--label", token, "--pin", "1234", "--so-pin", "5678"],
    {
      stdio: "ignore",
    },
  );
  return { module: MODULE, token, pin: "1234" };
}
const token = missing ? undefined : softHsmToken();

forEachDialect("encryption machine with its LMK in a PKCS#11 token (SoftHSM2)", (dialect) => {
  let database: Awaited<ReturnType<typeof createTestDb>>;
  let config: Pkcs11Config;
  const lmkKey = randomBytes(32);

  before(async () => {
    database = await createTestDb(dialect);
    if (token) config = { ...token, keyLabel: `sscard-lmk-${dialect}` };
  });
  after(async () => database.close());

  it("stores the ceremony's LMK in the token, where it cannot be read back, and reports the same check value", {
    skip: missing,
  }, () => {
    assert.equal(openPkcs11Lmk(config), undefined, "no LMK before the ceremony");
    const { kcv } = importPkcs11Lmk(config, lmkKey);
    assert.equal(kcv, keyCheckValue("AES", lmkKey));
    assert.throws(() => importPkcs11Lmk(config, randomBytes(32)), /already holds/);

    const api = createRequire(import.meta.url)("pkcs11js");
    const p11 = new api.PKCS11();
    p11.load(MODULE);
    const slot = p11
      .C_GetSlotList(true)
      .find((s: Buffer) => p11.C_GetTokenInfo(s).label.trim() === config.token);
    const session = p11.C_OpenSession(slot, api.CKF_SERIAL_SESSION);
    try {
      p11.C_Login(session, api.CKU_USER, config.pin);
    } catch (e) {
      if (!String(e).includes("CKR_USER_ALREADY_LOGGED_IN")) throw e;
    }
    p11.C_FindObjectsInit(session, [{ type: api.CKA_LABEL, value: config.keyLabel }]);
    const [handle] = p11.C_FindObjects(session, 1);
    p11.C_FindObjectsFinal(session);
    assert.ok(handle, "the key is a token object");
    assert.throws(
      () => p11.C_GetAttributeValue(session, handle, [{ type: api.CKA_VALUE }]),
      /CKR_ATTRIBUTE_SENSITIVE/,
      "the LMK's value never leaves the token",
    );
    p11.C_CloseSession(session);
  });

  it("seals key blocks inside the token: the machine derives the same keys as the software one, and a changed header is refused", {
    skip: missing,
  }, async () => {
    const lmk = openPkcs11Lmk(config)!;
    assert.equal(lmk.kind, "pkcs11");
    const hsm = createHsm({
      keys: createKeysRepository(database.db),
      lmk,
      now: () => new Date("2026-11-22T03:00:00Z"),
    });
    const c1 = randomBytes(16);
    const c2 = randomBytes(16);
    await hsm.importNationalKey({
      type: "internal_auth",
      algorithm: "SM4",
      version: 1,
      components: [
        { custodian: "张三", hex: c1.toString("hex") },
        { custodian: "李四", hex: c2.toString("hex") },
      ],
    });
    const national = Buffer.from(c1.map((b, i) => b ^ c2[i]));
    const derived = await hsm.deriveAreaKeys({
      type: "internal_auth",
      algorithm: "SM4",
      version: 1,
      province: "330000",
      city: "330100",
    });
    const cardIdCode = "330100D1560000050123456789ABCDEF";
    const chain = deriveChain("SM4", national, { province: "330000", city: "330100", cardIdCode });
    assert.equal(derived.cityKcv, keyCheckValue("SM4", chain.city!));
    assert.equal(
      await hsm.cardKeyCheckValue({
        type: "internal_auth",
        algorithm: "SM4",
        version: 1,
        city: "330100",
        cardIdCode,
      }),
      keyCheckValue("SM4", chain.card!),
    );

    const header = {
      usage: "mac",
      algorithm: "SM4" as const,
      keyVersion: 1,
      exportability: "N" as const,
      label: "t",
    };
    const key = randomBytes(16);
    const block = wrapKey(lmk, header, key);
    assert.deepEqual(unwrapKey(lmk, block, "mac").key, key);
    const [h, body] = block.split(".");
    const forged = `${Buffer.from(Buffer.from(h, "base64url").toString().replace("|N|", "|E|")).toString("base64url")}.${body}`;
    assert.throws(() => unwrapKey(lmk, forged), KeyBlockError, "exportability cannot be changed");
    const second = openPkcs11Lmk(config)!;
    assert.deepEqual(unwrapKey(second, block).key, key, "another session of the same token opens it");
  });
});

describe("sscard keys ceremony with SSCARD_HSM=pkcs11", () => {
  it("puts the LMK into the token from custodians' components, refuses a second one, then keeps keys under it", {
    skip: missing,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), "sscard-p11-cli-"));
    const env = {
      ...process.env,
      DATABASE_URL: `sqlite:${join(dir, "cli.db")}`,
      SSCARD_SECRETS_FILE: join(dir, "secrets.json"),
      SSCARD_HSM: "pkcs11",
      SSCARD_PKCS11_MODULE: MODULE,
      SSCARD_PKCS11_TOKEN: token!.token,
      SSCARD_PKCS11_PIN: token!.pin,
      SSCARD_PKCS11_KEY_LABEL: "cli-lmk",
    };
    const run = (...args: string[]) => {
      const r = spawnSync(process.execPath, ["src/cli/main.ts", ...args], { env, encoding: "utf8" });
      return { code: r.status, out: r.stdout + r.stderr };
    };
    const components = (bytes: number) => {
      const file = join(dir, `components-${bytes}.json`);
      const parts = [randomBytes(bytes), randomBytes(bytes)];
      writeFileSync(
        file,
        JSON.stringify({
          components: parts.map((p, i) => ({ custodian: ["王五", "赵六"][i], hex: p.toString("hex") })),
        }),
      );
      return { file, key: Buffer.from(parts[0].map((b, i) => b ^ parts[1][i])) };
    };
    const lmk = components(32);
    const made = run("keys", "ceremony", "--lmk", "--file", lmk.file);
    assert.equal(made.code, 0, made.out);
    assert.match(
      made.out,
      new RegExp(`LMK stored in token ${token!.token} as cli-lmk, KCV ${keyCheckValue("AES", lmk.key)}`),
    );
    const again = run("keys", "ceremony", "--lmk", "--file", components(32).file);
    assert.equal(again.code, 1);
    assert.match(again.out, /already holds cli-lmk/);
    const national = run("keys", "ceremony", "--national", "mac", "--file", components(16).file);
    assert.equal(national.code, 0, national.out);
    assert.match(run("keys", "list").out, /nat-mac-SM4-v1/);
  });
});
