import { createHash, createPublicKey, type KeyObject, verify } from "node:crypto";
import { sm2 } from "sm-crypto-v2";
import {
  b64,
  CODE_LIFETIME_SECONDS,
  CODE_PREFIX,
  type CodeType,
  SM2_SIGN_OPTIONS,
  sigToB64,
} from "./ecard-code.device.ts";

export {
  CODE_LIFETIME_SECONDS,
  CODE_PREFIX,
  CODE_SM2_USER_ID,
  type CodeType,
  mintCode,
  newDeviceKey,
} from "./ecard-code.device.ts";

/**
 * The e-card's QR codes, verifiable offline with public keys only (the pattern of ISO 18013-5 mobile
 * driving licences): sscard signs a short-lived **credential** bound to the device's SM2 key once a
 * day; the device signs each **code** (every 60 seconds) with that key. A terminal checks the issuer's
 * signature (cached per credential), the device's signature, the code's age, and the card's status
 * version against the signed status list it fetches incrementally.
 *
 *   code       = "SSC1" "." credential "." issuerSignature "." payload "." deviceSignature
 *   credential = base64url(JSON {v, iss, eid, dk, nm, cn, ar, sv, ch, iat, exp})
 *   payload    = base64url(JSON {t: "i" | "p", ts, n})
 *   issuerSignature = base64url(SM2-SM3(issuer key, "SSC1.cred." + credential))   (r ‖ s, 64 bytes)
 *   deviceSignature = base64url(SM2-SM3(device key, credential + "." + payload))
 *
 * SM2 with SM3 and, by this format's agreement, the **empty** distinguishing ID (ENTL = 0; GM/T 0009 allows
 * another ID by agreement). That is the ID OpenSSL uses when none can be set, so terminals verify
 * through `node:crypto` (OpenSSL) at about 2,000 signatures/s per core instead of ~150/s in pure
 * JavaScript; sm-crypto-v2 signs with `userId: ""` and verifies the same signatures.
 */
/** Clock difference tolerated between a phone and a terminal. */
export const CLOCK_SKEW_SECONDS = 30;
/** How long a device credential lasts before the channel must fetch a new one online. */
export const CREDENTIAL_LIFETIME_SECONDS = 24 * 3600;

export type Credential = Readonly<{
  v: 1;
  /** The issuer key's id: which public key verifies it. */
  iss: string;
  /** The e-card's public id (not the card number). */
  eid: string;
  /** The device's SM2 public key (compressed, hex). */
  dk: string;
  /** The holder's name and card number, masked, as the screen shows them. */
  nm: string;
  cn: string;
  /** The card-issuing area. */
  ar: string;
  /** The e-card's status version when the credential was issued. */
  sv: number;
  /** The channel (app) the e-card was issued to. */
  ch: string;
  iat: number;
  exp: number;
}>;

export type CodePayload = Readonly<{ t: "i" | "p"; ts: number; n: string }>;

/** What a terminal holds: the issuer public keys, the status list it has fetched, and the time. */
export type TerminalView = Readonly<{
  issuerKeys: Readonly<Record<string, string>>;
  /** Latest status per e-card id from the signed status list (absent: no change since issue). */
  status: ReadonlyMap<string, { sv: number; usable: boolean }>;
  /** Unix seconds. */
  now: number;
}>;

export const CODE_REFUSALS = [
  "MALFORMED",
  "UNKNOWN_ISSUER",
  "BAD_ISSUER_SIGNATURE",
  "CREDENTIAL_EXPIRED",
  "BAD_DEVICE_SIGNATURE",
  "CODE_EXPIRED",
  "WRONG_TYPE",
  "STATUS_CHANGED",
  "UNUSABLE",
] as const;
export type CodeRefusal = (typeof CODE_REFUSALS)[number];

export type CodeCheck =
  | { ok: true; credential: Credential; payload: CodePayload; type: CodeType; codeId: string }
  | { ok: false; reason: CodeRefusal };

/** DER prefix of an SM2 SubjectPublicKeyInfo: id-ecPublicKey with the SM2 curve (1.2.156.10197.1.301). */
const SM2_SPKI_ALGORITHM = Buffer.from("301306072a8648ce3d020106082a811ccf5501822d", "hex");

/** An SM2 public key (hex, compressed or not) as an OpenSSL key object; throws on a point not on the curve. */
function sm2PublicKey(hex: string): KeyObject {
  const point = Buffer.from(hex, "hex");
  const bits = Buffer.concat([Buffer.from([0x03, point.length + 1, 0]), point]);
  const body = Buffer.concat([SM2_SPKI_ALGORITHM, bits]);
  return createPublicKey({
    key: Buffer.concat([Buffer.from([0x30, body.length]), body]),
    format: "der",
    type: "spki",
  });
}

/** r ‖ s (32 bytes each) as the DER SEQUENCE of two INTEGERs OpenSSL reads. */
function derSignature(rs: Buffer): Buffer {
  const integer = (value: Buffer) => {
    let i = 0;
    while (i < value.length - 1 && value[i] === 0 && value[i + 1] < 0x80) i++;
    const v = value[i] & 0x80 ? Buffer.concat([Buffer.from([0]), value.subarray(i)]) : value.subarray(i);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const r = integer(rs.subarray(0, 32));
  const s = integer(rs.subarray(32));
  return Buffer.concat([Buffer.from([0x30, r.length + s.length]), r, s]);
}

/** SM2-SM3 verification with the empty ID through OpenSSL; false for anything malformed. */
function sm2Verify(message: string, signatureB64: string, key: KeyObject | string): boolean {
  try {
    const rs = Buffer.from(signatureB64, "base64url");
    if (rs.length !== 64) return false;
    return verify(
      null,
      Buffer.from(message, "utf8"),
      typeof key === "string" ? sm2PublicKey(key) : key,
      derSignature(rs),
    );
  } catch {
    return false;
  }
}

/** Signs a credential with the issuer's private key; returns its two code segments. */
export function signCredential(credential: Credential, issuerPrivateKey: string): string {
  const c = b64(JSON.stringify(credential));
  return `${c}.${sigToB64(sm2.doSignature(`${CODE_PREFIX}.cred.${c}`, issuerPrivateKey, SM2_SIGN_OPTIONS))}`;
}

/** Issuer keys imported once, and credentials already checked (by hash). */
const issuerKeyObjects = new Map<string, KeyObject | null>();
const checkedCredentials = new Map<string, number>();

function issuerKey(hex: string): KeyObject | null {
  let key = issuerKeyObjects.get(hex);
  if (key === undefined) {
    try {
      key = sm2PublicKey(hex);
    } catch {
      key = null;
    }
    issuerKeyObjects.set(hex, key);
  }
  return key;
}

function parseJson<T>(segment: string): T | undefined {
  try {
    const v = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
    return v && typeof v === "object" ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

const isHex = (s: unknown, len?: number) =>
  typeof s === "string" && /^[0-9a-f]+$/i.test(s) && (len === undefined || s.length === len);

function wellFormed(c: Credential | undefined): c is Credential {
  return (
    !!c &&
    c.v === 1 &&
    typeof c.iss === "string" &&
    isHex(c.eid, 32) &&
    isHex(c.dk) &&
    (c.dk.length === 66 || c.dk.length === 130) &&
    typeof c.nm === "string" &&
    typeof c.cn === "string" &&
    Number.isInteger(c.sv) &&
    Number.isInteger(c.iat) &&
    Number.isInteger(c.exp)
  );
}

/**
 * Verifies a code as a terminal does, offline: every check uses public keys and the terminal's status
 * list only. Never throws: anything malformed is MALFORMED.
 */
export function verifyCode(code: string, terminal: TerminalView, expected?: CodeType): CodeCheck {
  const no = (reason: CodeRefusal): CodeCheck => ({ ok: false, reason });
  if (typeof code !== "string" || code.length > 2000) return no("MALFORMED");
  const parts = code.split(".");
  if (parts.length !== 5 || parts[0] !== CODE_PREFIX) return no("MALFORMED");
  const [, c, cSig, p, dSig] = parts;
  const credential = parseJson<Credential>(c);
  const payload = parseJson<CodePayload>(p);
  if (!wellFormed(credential) || !payload || (payload.t !== "i" && payload.t !== "p")) return no("MALFORMED");
  if (!Number.isInteger(payload.ts) || !isHex(payload.n, 16)) return no("MALFORMED");
  const issuer = terminal.issuerKeys[credential.iss];
  if (!issuer) return no("UNKNOWN_ISSUER");
  const credentialId = createHash("sha256").update(`${issuer}.${c}.${cSig}`).digest("base64url");
  if (!checkedCredentials.has(credentialId)) {
    const key = issuerKey(issuer);
    if (!key || !sm2Verify(`${CODE_PREFIX}.cred.${c}`, cSig, key)) return no("BAD_ISSUER_SIGNATURE");
    if (checkedCredentials.size > 100_000) checkedCredentials.clear();
    checkedCredentials.set(credentialId, credential.exp);
  }
  if (terminal.now > credential.exp) return no("CREDENTIAL_EXPIRED");
  if (!sm2Verify(`${c}.${p}`, dSig, credential.dk)) return no("BAD_DEVICE_SIGNATURE");
  if (
    payload.ts > terminal.now + CLOCK_SKEW_SECONDS ||
    terminal.now - payload.ts > CODE_LIFETIME_SECONDS + CLOCK_SKEW_SECONDS
  )
    return no("CODE_EXPIRED");
  const type: CodeType = payload.t === "p" ? "payment" : "identity";
  if (expected && expected !== type) return no("WRONG_TYPE");
  const status = terminal.status.get(credential.eid);
  if (status && status.sv > credential.sv) return no("STATUS_CHANGED");
  if (status && !status.usable) return no("UNUSABLE");
  return {
    ok: true,
    credential,
    payload,
    type,
    codeId: createHash("sha256").update(`${c}.${p}`).digest("base64url").slice(0, 32),
  };
}
