import { keyCheckValue } from "./derivation.ts";

/** One key component as a custodian enters it. */
export type Component = Readonly<{ custodian: string; hex: string }>;

export class CeremonyError extends Error {}

/**
 * Builds a key from components under dual control and split knowledge: at least two components of the
 * same length, each from a different custodian; the key is their XOR. Returns the check value of each
 * component (for the custodians to confirm what they typed) and of the result.
 */
export function combineComponents(
  components: readonly Component[],
  algorithm: "SM4" | "TDES" | "AES",
): { key: Buffer; kcv: string; componentKcvs: { custodian: string; kcv: string }[] } {
  if (components.length < 2) throw new CeremonyError("a key needs at least two components (dual control)");
  const custodians = new Set(components.map((c) => c.custodian.trim().toLowerCase()));
  if (custodians.size !== components.length)
    throw new CeremonyError("one custodian cannot enter two components");
  const parts = components.map((c) => {
    if (!/^([0-9A-Fa-f]{2})+$/.test(c.hex)) throw new CeremonyError(`component of ${c.custodian} is not hex`);
    return Buffer.from(c.hex, "hex");
  });
  const length = parts[0].length;
  const allowed = algorithm === "AES" ? [16, 32] : algorithm === "SM4" ? [16] : [16, 24];
  if (!allowed.includes(length) || parts.some((p) => p.length !== length)) {
    throw new CeremonyError(`components must all be ${allowed.join(" or ")} bytes for ${algorithm}`);
  }
  const key = Buffer.alloc(length);
  for (const p of parts) for (let i = 0; i < length; i++) key[i] ^= p[i];
  if (key.every((b) => b === 0)) throw new CeremonyError("the components cancel out");
  return {
    key,
    kcv: keyCheckValue(algorithm, key),
    componentKcvs: components.map((c, i) => ({
      custodian: c.custodian,
      kcv: keyCheckValue(algorithm, parts[i]),
    })),
  };
}
