import { sm2 } from "sm-crypto-v2";

/**
 * The device's half of the e-card code format (see ecard-code.ts for the whole format and the
 * terminal's checks): what a phone app, or the online hall's page, does every 60 seconds. It runs in
 * a browser as well as in Node, so it uses no `node:` module.
 */
export const CODE_PREFIX = "SSC1";

/** Seconds a code is valid after the device made it (the app refreshes it every 60 s). */
export const CODE_LIFETIME_SECONDS = 60;

export type CodeType = "identity" | "payment";

/** The SM2 distinguishing ID of the code format: empty, by the format's agreement (see ecard-code.ts). */
export const CODE_SM2_USER_ID = "";
export const SM2_SIGN_OPTIONS = { hash: true, der: false, userId: CODE_SM2_USER_ID } as const;

const base64url = (bytes: Uint8Array) => {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
};
/** UTF-8 text as base64url. */
export const b64 = (s: string) => base64url(new TextEncoder().encode(s));
/** A signature r ‖ s in hex as base64url. */
export const sigToB64 = (hex: string) =>
  base64url(Uint8Array.from(hex.match(/../g) ?? [], (h) => Number.parseInt(h, 16)));

const randomNonce = () =>
  Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");

/** What the device does every 60 seconds: a code of a type, signed with its private key. */
export function mintCode(
  signedCredential: string,
  devicePrivateKey: string,
  type: CodeType,
  now: number,
  nonce: string = randomNonce(),
): string {
  const [c] = signedCredential.split(".");
  const payload = b64(JSON.stringify({ t: type === "payment" ? "p" : "i", ts: now, n: nonce }));
  return `${CODE_PREFIX}.${signedCredential}.${payload}.${sigToB64(sm2.doSignature(`${c}.${payload}`, devicePrivateKey, SM2_SIGN_OPTIONS))}`;
}

/** A new device key pair (hex; the public key uncompressed), as an app makes once per installation. */
export const newDeviceKey = (): { publicKey: string; privateKey: string } => sm2.generateKeyPairHex();
