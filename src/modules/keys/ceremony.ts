import { KEY_TYPES, type KeyAlgorithm, type KeyType, keyCheckValue } from "./derivation.ts";
import { caLabel, localLabel, nationalLabel, transportLabel } from "./labels.ts";

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
    if (componentProblem(c.hex, algorithm) === "not_hex")
      throw new CeremonyError(`component of ${c.custodian} is not hex`);
    return Buffer.from(c.hex, "hex");
  });
  const length = parts[0].length;
  if (componentProblem(components[0].hex, algorithm) || parts.some((p) => p.length !== length)) {
    throw new CeremonyError(
      `components must all be ${componentLengths(algorithm).join(" or ")} bytes for ${algorithm}`,
    );
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

const componentLengths = (algorithm: "SM4" | "TDES" | "AES") =>
  algorithm === "AES" ? [16, 32] : algorithm === "SM4" ? [16] : [16, 24];

/** Why a typed component cannot be one of a key of `algorithm` (not hex; not a key's length), if it cannot. */
export function componentProblem(
  hex: string,
  algorithm: "SM4" | "TDES" | "AES",
): "not_hex" | "length" | undefined {
  if (!/^([0-9A-Fa-f]{2})+$/.test(hex)) return "not_hex";
  return componentLengths(algorithm).includes(hex.length / 2) ? undefined : "length";
}

const REQUIRED = "required for this kind of ceremony";

/** The key ceremonies the administrators' pages run. */
export const CEREMONY_KINDS = ["national", "transport", "local", "ca"] as const;
export type CeremonyKind = (typeof CEREMONY_KINDS)[number];

/** The parties an area shares a transport key with: its card factory, the ministry (for its sub-keys). */
export const TRANSPORT_PARTIES = ["factory", "ministry"] as const;

export type CeremonyRequest = Readonly<{
  kind: CeremonyKind;
  version: number;
  areaCode?: string;
  keyType?: KeyType;
  algorithm?: KeyAlgorithm;
  party?: (typeof TRANSPORT_PARTIES)[number];
}>;

/**
 * What a ceremony makes: the key's label and algorithm, where it belongs (null: the nation) and how many
 * custodians' components it takes (0: the machine generates it: an area's local key, its CA key). A
 * request missing what its kind needs is refused with the field and the rule (`field: rule`).
 */
export function ceremonyPlan(
  r: CeremonyRequest,
):
  | { label: string; algorithm: KeyAlgorithm | "SM2"; areaCode: string | null; components: number }
  | { refused: string } {
  if (r.kind === "national") {
    if (!r.keyType || !(r.keyType in KEY_TYPES)) return { refused: `keyType: ${REQUIRED}` };
    const algorithm = r.algorithm ?? "SM4";
    return {
      label: nationalLabel(r.keyType, algorithm, r.version),
      algorithm,
      areaCode: null,
      components: 2,
    };
  }
  if (!r.areaCode) return { refused: `areaCode: ${REQUIRED}` };
  const area = r.areaCode;
  if (r.kind === "transport") {
    if (!r.party) return { refused: `party: ${REQUIRED}` };
    if (r.party === "ministry" && !area.endsWith("0000"))
      return { refused: "areaCode: a province code (XX0000) for the ministry's transport key" };
    return {
      label: transportLabel(r.party, area, r.version),
      algorithm: "SM4",
      areaCode: area,
      components: 2,
    };
  }
  if (r.kind === "local")
    return { label: localLabel(area, r.version), algorithm: "SM4", areaCode: area, components: 0 };
  return { label: caLabel(area, r.version), algorithm: "SM2", areaCode: area, components: 0 };
}
