import type { KeyAlgorithm, KeyType } from "./derivation.ts";

/** The labels the encryption machine files its keys under (one key per label; versions in the label). */
export const nationalLabel = (type: KeyType, algorithm: KeyAlgorithm, version: number) =>
  `nat-${type}-${algorithm}-v${version}`;
export const areaLabel = (type: KeyType, algorithm: KeyAlgorithm, version: number, area: string) =>
  `area-${area}-${type}-${algorithm}-v${version}`;
export const localLabel = (area: string, version: number) => `local-${area}-EXT-SM4-v${version}`;
export const caLabel = (area: string, version: number) => `ca-${area}-SM2-v${version}`;
export const transportLabel = (party: string, area: string, version: number) =>
  `tk-${party}-${area}-SM4-v${version}`;

/** The usage of a transport key (a key-encryption key shared with another machine) in its key block. */
export const TRANSPORT_USAGE = "transport";

/** The usage of an area's own generated key for its locally extended card files (Measures Art. 21). */
export const LOCAL_EXTENSION_USAGE = "local_ext";

/** The usage of an area CA's SM2 signing key in its key block. */
export const CA_USAGE = "ca_sign";

/** The usage of a custodian's key component kept sealed while a ceremony waits for the others. */
export const COMPONENT_USAGE = "component";
