import type { KeyAlgorithm } from "./derivation.ts";
import type { Lmk } from "./lmk.ts";

/**
 * A key wrapped under the local master key (LMK) in the manner of a TR-31 key block: a readable header
 * (usage, algorithm, key version, exportability, label) authenticated with the wrapped key, so a header
 * cannot be changed to put a key to another use. The LMK seals the key with the header as associated data.
 */
export type KeyBlockHeader = Readonly<{
  usage: string;
  algorithm: KeyAlgorithm | "AES" | "SM2";
  keyVersion: number;
  /** N: never leaves the machine; E: may be exported under a key-encryption key. */
  exportability: "N" | "E";
  label: string;
}>;

export class KeyBlockError extends Error {}

const PREFIX = "KB1";

function headerText(h: KeyBlockHeader): string {
  if (!/^[\w.-]{1,64}$/.test(h.label) || !/^[\w-]{1,32}$/.test(h.usage))
    throw new KeyBlockError("invalid header");
  return [PREFIX, h.usage, h.algorithm, String(h.keyVersion).padStart(2, "0"), h.exportability, h.label].join(
    "|",
  );
}

function parseHeader(text: string): KeyBlockHeader {
  const [prefix, usage, algorithm, version, exportability, label] = text.split("|");
  if (prefix !== PREFIX || !usage || !label || (exportability !== "N" && exportability !== "E")) {
    throw new KeyBlockError("not a key block");
  }
  if (algorithm !== "SM4" && algorithm !== "TDES" && algorithm !== "AES" && algorithm !== "SM2")
    throw new KeyBlockError("unknown algorithm");
  return { usage, algorithm, keyVersion: Number(version), exportability, label };
}

/** Wraps a key under the LMK; the result is safe to store anywhere. */
export function wrapKey(lmk: Lmk, header: KeyBlockHeader, key: Buffer): string {
  const text = headerText(header);
  const sealed = lmk.seal(Buffer.from(text), key);
  return `${Buffer.from(text).toString("base64url")}.${sealed.toString("base64url")}`;
}

/** Unwraps a key block, checking that neither the header nor the key was changed and that `usage` is as expected. */
export function unwrapKey(
  lmk: Lmk,
  block: string,
  expectedUsage?: string,
): { header: KeyBlockHeader; key: Buffer } {
  const [h, b] = block.split(".");
  if (!h || !b) throw new KeyBlockError("not a key block");
  const text = Buffer.from(h, "base64url").toString();
  const header = parseHeader(text);
  if (expectedUsage && header.usage !== expectedUsage)
    throw new KeyBlockError(`key usage is ${header.usage}, not ${expectedUsage}`);
  try {
    return { header, key: lmk.open(Buffer.from(text), Buffer.from(b, "base64url")) };
  } catch {
    throw new KeyBlockError("key block authentication failed");
  }
}
