import { createHmac, createSecretKey, type KeyObject, timingSafeEqual } from "node:crypto";
import { decipherFormat1, decipherFormat4, type PinBlockFormat } from "./pin-block.ts";

/** A PIN as it reaches sscard: typed on a counter or web PIN pad, or as a terminal's enciphered PIN block. */
export type PinInput =
  | { pin: string }
  | { pinBlock: { format: PinBlockFormat; block: string }; terminalId: string; accountNumber: string };

/**
 * The encryption machine's PIN services. Keys never leave it: callers get verification values,
 * yes/no answers, and the verdict of a rule run on the PIN inside.
 */
export type EncryptionMachine = Readonly<{
  /** The PIN verification value stored for a card: HMAC-SM3 under the PIN verification key. */
  pinVerificationValue: (cardIdCode: string, input: PinInput) => string;
  /** Whether the PIN matches a stored verification value (constant time). */
  verifyPin: (cardIdCode: string, input: PinInput, pvv: string) => boolean;
  /** Runs a pure rule on the clear PIN inside the machine and returns its verdict (weak-PIN checks). */
  checkPin: <T>(input: PinInput, rule: (pin: string) => T) => T;
  /** The key a terminal enciphers PIN blocks with, for loading into the terminal at provisioning. */
  terminalPinKey: (terminalId: string, format: PinBlockFormat) => Buffer;
}>;

/**
 * The software encryption machine's PIN part, until the keys issue brings the HSM interface: the PIN
 * verification key and the terminal PIN keys are derived from one root key by HMAC-SM3 with distinct
 * labels, so no key is stored anywhere but in configuration.
 */
export function createSoftwarePinMachine(rootKey: Buffer | undefined): EncryptionMachine {
  if (!rootKey) throw new Error("SSCARD_PIN_KEY is needed: no encryption machine holds the PIN root");
  if (rootKey.length !== 32) throw new Error("the PIN root key must be 32 bytes");
  const derive = (label: string) => createHmac("sm3", rootKey).update(label).digest();
  const pvk: KeyObject = createSecretKey(derive("sscard/pin-verification-key/v1"));
  const terminalKeys = new Map<string, KeyObject>();
  const terminalKey = (terminalId: string, format: PinBlockFormat): KeyObject => {
    const id = `${format}|${terminalId}`;
    let k = terminalKeys.get(id);
    if (!k) {
      k = createSecretKey(derive(`sscard/terminal-pin-key/v1/${id}`).subarray(0, 16));
      terminalKeys.set(id, k);
    }
    return k;
  };
  const clearPin = (input: PinInput): string => {
    if ("pin" in input) return input.pin;
    const block = Buffer.from(input.pinBlock.block, "hex");
    const key = terminalKey(input.terminalId, input.pinBlock.format);
    return input.pinBlock.format === 4
      ? decipherFormat4(key, block, input.accountNumber)
      : decipherFormat1(key, block);
  };
  const pvvOf = (cardIdCode: string, pin: string) =>
    createHmac("sm3", pvk).update(`${cardIdCode}|${pin}`).digest("hex");
  return Object.freeze({
    pinVerificationValue: (cardIdCode, input) => pvvOf(cardIdCode, clearPin(input)),
    verifyPin(cardIdCode, input, pvv) {
      const a = Buffer.from(pvvOf(cardIdCode, clearPin(input)), "hex");
      const b = Buffer.from(pvv, "hex");
      return a.length === b.length && timingSafeEqual(a, b);
    },
    checkPin: (input, rule) => rule(clearPin(input)),
    terminalPinKey: (terminalId, format) => terminalKey(terminalId, format).export(),
  });
}
