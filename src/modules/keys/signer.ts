import { createHmac } from "node:crypto";
import { sm2 } from "sm-crypto-v2";
import { createSm2Signer, SM2_USER_ID } from "../../shared/signed.ts";

export { createSm2Signer, type Signed, type Signer, SM2_USER_ID, verifySigned } from "../../shared/signed.ts";

/** The order of SM2's base point (GB/T 32918.5): a private key is in [1, n - 2]. */
const SM2_N = BigInt("0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123");

/**
 * An SM2 key for one purpose, derived from the machine's signing key by HMAC-SM3 with its label (a
 * key per purpose: the blacklist key never signs checkpoints or certificates). Held in configuration,
 * never in the database, so whoever holds only the database cannot sign.
 */
function purposeSigningKey(signingKey: Buffer, label: string): Buffer {
  const d = BigInt(`0x${createHmac("sm3", signingKey).update(label).digest("hex")}`);
  return Buffer.from(((d % (SM2_N - 2n)) + 1n).toString(16).padStart(64, "0"), "hex");
}

/** The purposes sscard signs for, each with its own SM2 key and versions. */
export const SIGNING_PURPOSES = {
  blacklist: { signs: "the card blacklist and its changes" },
  "ecard-credential": { signs: "e-card device credentials (offline QR verification)" },
  "ecard-status": { signs: "the e-card status list" },
} as const;
export type SigningPurpose = keyof typeof SIGNING_PURPOSES;

/**
 * The version of each purpose's key in force (1 when not named). Rotation is configuration
 * (`SSCARD_SIGNING_KEY_VERSIONS=blacklist=2,ecard-credential=2`): new documents are signed with the
 * version in force; every older version stays published (GET /api/v1/signing-keys) and, for e-card
 * credentials, accepted, so what they signed still verifies.
 */
export type SigningVersions = Readonly<Partial<Record<SigningPurpose, number>>>;

/** Reads `purpose=version,…`; an unknown purpose or a version outside 1–99 is an error naming it. */
export function parseSigningVersions(text: string): SigningVersions {
  const out: Partial<Record<SigningPurpose, number>> = {};
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [purpose, version] = part.split("=");
    const v = Number(version);
    if (!(purpose in SIGNING_PURPOSES) || !Number.isInteger(v) || v < 1 || v > 99)
      throw new Error(
        `SSCARD_SIGNING_KEY_VERSIONS: "${part}" is not purpose=version (purposes: ${Object.keys(SIGNING_PURPOSES).join(", ")}; versions 1–99)`,
      );
    out[purpose as SigningPurpose] = v;
  }
  return out;
}

/** The version of a purpose's key in force. */
export const versionInForce = (purpose: SigningPurpose, versions: SigningVersions = {}) =>
  versions[purpose] ?? 1;

/** The key of a purpose at a version. */
export const purposeKey = (signingKey: Buffer, purpose: SigningPurpose, version: number): Buffer =>
  purposeSigningKey(signingKey, `sscard/${purpose}/v${version}`);

/** The key of a purpose at the version in force. */
export const purposeKeyInForce = (signingKey: Buffer, purpose: SigningPurpose, versions?: SigningVersions) =>
  purposeKey(signingKey, purpose, versionInForce(purpose, versions));

/** A machine's signing keys: each purpose's signer at its version in force, each version's key, what is published. */
export function signingKeysOf(signingKey: Buffer, versions: SigningVersions = {}) {
  return {
    signer: (purpose: SigningPurpose) => createSm2Signer(purposeKeyInForce(signingKey, purpose, versions)),
    keyAt: (purpose: SigningPurpose) => (version: number) => purposeKey(signingKey, purpose, version),
    inForce: (purpose: SigningPurpose) => versionInForce(purpose, versions),
    published: () => publishedSigningKeys(signingKey, versions),
    auditSealer: () => createSm2Signer(auditSigningKey(signingKey)),
  };
}

/** The public keys verifiers trust: every purpose's every version, the one in force marked; never a private key. */
export function publishedSigningKeys(signingKey: Buffer, versions: SigningVersions = {}) {
  const out = [];
  for (const [purpose, { signs }] of Object.entries(SIGNING_PURPOSES) as [
    SigningPurpose,
    (typeof SIGNING_PURPOSES)[SigningPurpose],
  ][]) {
    const version = versionInForce(purpose, versions);
    for (let v = version; v >= 1; v -= 1)
      out.push({
        purpose,
        version: v,
        inForce: v === version,
        signs,
        publicKey: sm2.getPublicKeyFromPrivateKey(purposeKey(signingKey, purpose, v).toString("hex")),
      });
  }
  out.push({
    purpose: "audit-checkpoint",
    version: 1,
    inForce: true,
    signs: "the audit chain's checkpoints",
    publicKey: sm2.getPublicKeyFromPrivateKey(auditSigningKey(signingKey).toString("hex")),
  });
  return out.map((k) => ({ ...k, algorithm: "SM2-SM3" as const, userId: SM2_USER_ID }));
}

/** The audit key: signs the audit chain's checkpoints. */
export const auditSigningKey = (signingKey: Buffer): Buffer =>
  purposeSigningKey(signingKey, "sscard/audit-checkpoint-key/v1");

/** The order of NIST P-256's base point. */
const P256_N = BigInt("0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");

/**
 * An ECDSA P-256 private key (32 bytes) for one purpose, derived like the SM2 ones: the keys of an
 * area's PDF-signing CA and of its signer (PAdES signatures that any PDF reader checks).
 */
export function p256PurposeKey(signingKey: Buffer, label: string): Buffer {
  const d = BigInt(`0x${createHmac("sha256", signingKey).update(label).digest("hex")}`);
  return Buffer.from(((d % (P256_N - 2n)) + 1n).toString(16).padStart(64, "0"), "hex");
}

/** The key agreed with the bank for its payment notifications (HMAC-SHA256), one per purpose. */
export const bankNotifyKey = (signingKey: Buffer): Buffer =>
  createHmac("sha256", signingKey).update("sscard/bank-notify/v1").digest();

/** A card-issuing area's certificate-signing key: signs the QR codes of the certificates it issues. */
export const certificateSigningKey = (signingKey: Buffer, areaCode: string): Buffer =>
  purposeSigningKey(signingKey, `sscard/certificate-key/${areaCode}/v1`);
