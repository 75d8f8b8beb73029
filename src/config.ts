import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { HsmConfig } from "./modules/keys/open-lmk.ts";
import { parseSigningVersions, type SigningVersions } from "./modules/keys/signer.ts";
import { type NationalConfig, nationalConfig } from "./modules/national/national.config.ts";

/** Secrets that protect personal data and credentials; never logged, never stored in the database. */
export type Secrets = Readonly<{
  /** AES-256-GCM key for personal data at rest (ID number, name, contact). */
  dataKey: Buffer;
  /** HMAC-SM3 key of the blind index used to find a person by ID number. */
  indexKey: Buffer;
  /** HMAC key under which session tokens and API keys are stored. */
  tokenKey: Buffer;
  /**
   * Root of the PIN keys (PIN verification key, terminal PIN keys) on a machine without an LMK, and the
   * key imported under the LMK at the first start of one (src/modules/keys/pin-root.ts). Once imported
   * the LMK's block is used and `SSCARD_PIN_KEY` may be removed from the environment.
   */
  pinKey: Buffer | undefined;
  /** SM2 private key signing the terminals' blacklist, until the encryption machine holds the area CA key. */
  signingKey: Buffer;
}>;

/** The typed, validated configuration shared by the server and the CLI. */
export type Config = Readonly<{
  port: number;
  host: string;
  databaseUrl: string;
  logLevel: string;
  bodyLimit: number;
  sessionTtlMinutes: number;
  sessionIdleMinutes: number;
  authCacheSeconds: number;
  /** HTTP worker processes; 0 means one per core. */
  workers: number;
  secrets: Secrets;
  /** The encryption machine: its LMK in a file (software) or in a PKCS#11 token. */
  hsm: HsmConfig;
  /** SSCARD_CLOCK_START: the instant the clock starts at (tests and drills); unset, the machine's clock. */
  clockStart: string | undefined;
  /** SSCARD_PUBLIC_URL: the address the public reaches (certificates' verification links point to it). */
  publicUrl: string;
  /** SSCARD_SIGNING_KEY_VERSIONS: the version in force of each signing purpose's key (rotation). */
  signingVersions: SigningVersions;
  /** Where the secrets came from, for the start-up message (never the values). */
  secretsSource: string;
  /** The national platform: this sscard's role, and a province's link to the hub. */
  national: NationalConfig;
}>;

/** Every environment variable sscard reads, with its default; the README documents the same list. */
export const ENVIRONMENT = {
  PORT: "8080",
  HOST: "127.0.0.1",
  DATABASE_URL: "sqlite:./data/sscard.db",
  LOG_LEVEL: "info",
  BODY_LIMIT_BYTES: String(1024 * 1024),
  SESSION_TTL_MINUTES: "480",
  SESSION_IDLE_MINUTES: "30",
  AUTH_CACHE_SECONDS: "5",
  WORKERS: "1",
  SCHEDULER: "on",
  JOB_CARDS_DAILY: "30 0 * * *",
  JOB_MEDICAL_ARREARS: "0 2 * * *",
  JOB_MEDICAL_TRANSFER: "0 3 1 * *",
  JOB_AUDIT_CHECKPOINT: "*/5 * * * *",
  SSCARD_SECRETS_FILE: "./data/secrets.json",
  SSCARD_PUBLIC_URL: "http://127.0.0.1:8080",
  SSCARD_HSM: "software",
  SSCARD_LMK_FILE: "./data/lmk.json",
  SSCARD_PKCS11_MODULE: "/usr/lib/softhsm/libsofthsm2.so",
  SSCARD_PKCS11_TOKEN: "sscard",
  SSCARD_PKCS11_PIN: "",
  SSCARD_PKCS11_KEY_LABEL: "sscard-lmk",
  SSCARD_DATA_KEY: "",
  SSCARD_INDEX_KEY: "",
  SSCARD_TOKEN_KEY: "",
  SSCARD_PIN_KEY: "",
  SSCARD_SIGNING_KEY: "",
  SSCARD_CLOCK_START: "",
  SSCARD_SIGNING_KEY_VERSIONS: "",
  SSCARD_ROLE: "province",
  SSCARD_HUB_URL: "",
  SSCARD_PROVINCE: "",
  SSCARD_HUB_KEY: "",
  SSCARD_NATIONAL_INDEX_KEY: "",
  SSCARD_HUB_PROVINCES: "",
  SSCARD_HUB_PROVINCE_URLS: "",
  SSCARD_HUB_ECARD_KEY: "",
} as const;

type Env = Record<string, string | undefined>;

function read(env: Env, name: keyof typeof ENVIRONMENT): string {
  const value = env[name];
  return value === undefined || value === "" ? ENVIRONMENT[name] : value;
}

function integer(env: Env, name: keyof typeof ENVIRONMENT, min: number): number {
  const raw = read(env, name);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer ≥ ${min}, got "${raw}"`);
  return n;
}

function key(hex: string, name: string): Buffer {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new Error(`${name} must be 64 hex characters (32 bytes)`);
  return Buffer.from(hex, "hex");
}

/**
 * Keys come from the environment; when none is set (a first start on a laptop) they are read from,
 * or generated into, a secrets file readable only by the owner.
 */
const KEY_NAMES = [
  "SSCARD_DATA_KEY",
  "SSCARD_INDEX_KEY",
  "SSCARD_TOKEN_KEY",
  "SSCARD_PIN_KEY",
  "SSCARD_SIGNING_KEY",
] as const;

function secretsFrom(values: Record<string, string | undefined>): Secrets {
  return Object.freeze({
    dataKey: key(values.SSCARD_DATA_KEY ?? "", "SSCARD_DATA_KEY"),
    indexKey: key(values.SSCARD_INDEX_KEY ?? "", "SSCARD_INDEX_KEY"),
    tokenKey: key(values.SSCARD_TOKEN_KEY ?? "", "SSCARD_TOKEN_KEY"),
    pinKey: values.SSCARD_PIN_KEY ? key(values.SSCARD_PIN_KEY, "SSCARD_PIN_KEY") : undefined,
    signingKey: key(values.SSCARD_SIGNING_KEY ?? "", "SSCARD_SIGNING_KEY"),
  });
}

/**
 * Keys come from the environment; when none is set (a first start on a laptop) they are read from,
 * or generated into, a secrets file readable only by the owner. A key added by a later version is
 * generated into an existing file.
 */
function loadSecrets(env: Env): { secrets: Secrets; source: string } {
  const set = KEY_NAMES.filter((k) => env[k]);
  // The PIN key may be left out once the encryption machine holds the PIN root (checked at start).
  if (KEY_NAMES.every((k) => env[k] || k === "SSCARD_PIN_KEY"))
    return { secrets: secretsFrom(env), source: "environment" };
  if (set.length > 0) throw new Error(`set all of ${KEY_NAMES.join(", ")}, or none of them`);
  const file = resolve(read(env, "SSCARD_SECRETS_FILE"));
  const existed = existsSync(file);
  const stored: Record<string, string> = existed ? JSON.parse(readFileSync(file, "utf8")) : {};
  const missing = KEY_NAMES.filter((k) => !stored[k]);
  if (missing.length) {
    mkdirSync(dirname(file), { recursive: true });
    stored.note =
      "sscard keys generated on first start; keep this file secret and backed up: without it personal data cannot be read";
    for (const k of missing) stored[k] = randomBytes(32).toString("hex");
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const verb = !existed ? "generated" : missing.length ? "updated" : "file";
  return { secrets: secretsFrom(stored), source: `${verb} ${file}` };
}

function hsmConfig(env: Env): HsmConfig {
  const kind = read(env, "SSCARD_HSM");
  if (kind === "software") return { kind, lmkFile: resolve(read(env, "SSCARD_LMK_FILE")) };
  if (kind !== "pkcs11") throw new Error(`SSCARD_HSM is software or pkcs11, got "${kind}"`);
  const pin = read(env, "SSCARD_PKCS11_PIN");
  if (!pin) throw new Error("SSCARD_HSM=pkcs11 needs SSCARD_PKCS11_PIN (the token's user PIN)");
  return {
    kind,
    module: read(env, "SSCARD_PKCS11_MODULE"),
    token: read(env, "SSCARD_PKCS11_TOKEN"),
    pin,
    keyLabel: read(env, "SSCARD_PKCS11_KEY_LABEL"),
  };
}

function clockStart(env: Env): string | undefined {
  const raw = read(env, "SSCARD_CLOCK_START");
  if (!raw) return undefined;
  if (
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(raw) ||
    Number.isNaN(Date.parse(raw))
  )
    throw new Error(`SSCARD_CLOCK_START must be an ISO 8601 instant with its offset, got "${raw}"`);
  return raw;
}

/** Reads and validates the configuration once; the result is frozen. */
export function loadConfig(env: Env = process.env): Config {
  const { secrets, source } = loadSecrets(env);
  const databaseUrl = read(env, "DATABASE_URL");
  if (!/^(sqlite:|postgres:|postgresql:)/.test(databaseUrl)) {
    throw new Error(
      `DATABASE_URL must start with sqlite: or postgres://, got "${databaseUrl.split(":")[0]}:..."`,
    );
  }
  return Object.freeze({
    port: integer(env, "PORT", 0),
    host: read(env, "HOST"),
    databaseUrl,
    logLevel: read(env, "LOG_LEVEL"),
    bodyLimit: integer(env, "BODY_LIMIT_BYTES", 1),
    sessionTtlMinutes: integer(env, "SESSION_TTL_MINUTES", 1),
    sessionIdleMinutes: integer(env, "SESSION_IDLE_MINUTES", 1),
    authCacheSeconds: integer(env, "AUTH_CACHE_SECONDS", 0),
    workers: integer(env, "WORKERS", 0),
    secrets,
    hsm: hsmConfig(env),
    secretsSource: source,
    clockStart: clockStart(env),
    publicUrl: read(env, "SSCARD_PUBLIC_URL").replace(/\/+$/, ""),
    signingVersions: parseSigningVersions(read(env, "SSCARD_SIGNING_KEY_VERSIONS")),
    national: nationalConfig(env),
  });
}
