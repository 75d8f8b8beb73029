import { randomBytes } from "node:crypto";
import { createRequire } from "node:module";
import type * as Pkcs11js from "pkcs11js";
import type { Lmk } from "./lmk.ts";

/** Where the LMK lives in a PKCS#11 token: the module, the token's label, the user PIN, the key's label. */
export type Pkcs11Config = Readonly<{ module: string; token: string; pin: string; keyLabel: string }>;

export class Pkcs11Error extends Error {}

type Api = typeof Pkcs11js;
const loaded = new Map<string, { api: Api; p11: Pkcs11js.PKCS11 }>();

/** pkcs11js is an optional native addon: loaded only when a PKCS#11 machine is configured. */
function load(module: string) {
  let entry = loaded.get(module);
  if (!entry) {
    let api: Api;
    try {
      api = createRequire(import.meta.url)("pkcs11js") as Api;
    } catch {
      throw new Pkcs11Error("the pkcs11js addon is not installed (npm install builds it with node-gyp)");
    }
    const p11 = new api.PKCS11();
    p11.load(module);
    try {
      p11.C_Initialize();
    } catch (e) {
      if (!String(e).includes("CKR_CRYPTOKI_ALREADY_INITIALIZED")) throw e;
    }
    entry = { api, p11 };
    loaded.set(module, entry);
  }
  return entry;
}

/** A logged-in read-write session on the configured token. */
function session(config: Pkcs11Config) {
  const { api, p11 } = load(config.module);
  const slot = p11.C_GetSlotList(true).find((s) => p11.C_GetTokenInfo(s).label.trim() === config.token);
  if (!slot) throw new Pkcs11Error(`no PKCS#11 token labelled ${config.token}`);
  const handle = p11.C_OpenSession(slot, api.CKF_RW_SESSION | api.CKF_SERIAL_SESSION);
  try {
    p11.C_Login(handle, api.CKU_USER, config.pin);
  } catch (e) {
    if (!String(e).includes("CKR_USER_ALREADY_LOGGED_IN")) {
      p11.C_CloseSession(handle);
      throw new Pkcs11Error(`cannot log in to token ${config.token}: ${String(e).split("\n")[0]}`);
    }
  }
  return { api, p11, handle };
}

function findKey(s: ReturnType<typeof session>, label: string): Buffer | undefined {
  const { api, p11, handle } = s;
  p11.C_FindObjectsInit(handle, [
    { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
    { type: api.CKA_LABEL, value: label },
  ]);
  const [key] = p11.C_FindObjects(handle, 1);
  p11.C_FindObjectsFinal(handle);
  return key;
}

/** The first 3 bytes of the token's AES-ECB encryption of a zero block: the key's check value, computed inside. */
function checkValue(s: ReturnType<typeof session>, key: Buffer): string {
  s.p11.C_EncryptInit(s.handle, { mechanism: s.api.CKM_AES_ECB }, key);
  return s.p11
    .C_Encrypt(s.handle, Buffer.alloc(16), Buffer.alloc(16))
    .subarray(0, 3)
    .toString("hex")
    .toUpperCase();
}

/**
 * Stores an LMK made by a ceremony in the token as a sensitive, non-extractable AES-256 key and
 * returns the check value the token computes for it (compare it with the ceremony's).
 */
export function importPkcs11Lmk(config: Pkcs11Config, key: Buffer): { kcv: string } {
  if (key.length !== 32) throw new Pkcs11Error("the LMK is 32 bytes");
  const s = session(config);
  try {
    if (findKey(s, config.keyLabel))
      throw new Pkcs11Error(
        `the token already holds ${config.keyLabel}; keys wrapped under it would be lost`,
      );
    const { api } = s;
    const object = s.p11.C_CreateObject(s.handle, [
      { type: api.CKA_CLASS, value: api.CKO_SECRET_KEY },
      { type: api.CKA_KEY_TYPE, value: api.CKK_AES },
      { type: api.CKA_TOKEN, value: true },
      { type: api.CKA_PRIVATE, value: true },
      { type: api.CKA_SENSITIVE, value: true },
      { type: api.CKA_EXTRACTABLE, value: false },
      { type: api.CKA_ENCRYPT, value: true },
      { type: api.CKA_DECRYPT, value: true },
      { type: api.CKA_LABEL, value: config.keyLabel },
      { type: api.CKA_VALUE, value: key },
    ]);
    return { kcv: checkValue(s, object) };
  } finally {
    s.p11.C_CloseSession(s.handle);
  }
}

/**
 * The LMK inside a PKCS#11 token: key blocks are sealed and opened by the token (CKM_AES_GCM, the
 * block header as associated data); the LMK itself never leaves it. Undefined when the token holds
 * no LMK yet. The session stays open for the life of the process (pkcs11js calls are synchronous, so
 * an init/encrypt pair never interleaves with another).
 */
export function openPkcs11Lmk(config: Pkcs11Config): Lmk | undefined {
  const s = session(config);
  const key = findKey(s, config.keyLabel);
  if (!key) {
    s.p11.C_CloseSession(s.handle);
    return undefined;
  }
  const { api, p11, handle } = s;
  const gcm = (iv: Buffer, aad: Buffer) => ({
    mechanism: api.CKM_AES_GCM,
    parameter: { type: api.CK_PARAMS_GCM, iv, ivBits: 96, aad, tagBits: 128 },
  });
  return Object.freeze({
    kind: "pkcs11",
    seal(aad, plain) {
      const iv = randomBytes(12);
      p11.C_EncryptInit(handle, gcm(iv, aad), key);
      return Buffer.concat([iv, p11.C_Encrypt(handle, plain, Buffer.alloc(plain.length + 16))]);
    },
    open(aad, sealed) {
      if (sealed.length < 28) throw new Pkcs11Error("key block authentication failed");
      try {
        p11.C_DecryptInit(handle, gcm(sealed.subarray(0, 12), aad), key);
        return Buffer.from(p11.C_Decrypt(handle, sealed.subarray(12), Buffer.alloc(sealed.length)));
      } catch {
        throw new Pkcs11Error("key block authentication failed");
      }
    },
  });
}
