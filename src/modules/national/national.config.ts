import { parseProvinceKeys } from "./national.rules.ts";

/** How this sscard takes part in the national platform (issue 24). */
export type NationalConfig = Readonly<{
  /** SSCARD_ROLE: `province` (a province's card system, the default) or `hub` (the national platform). */
  role: "province" | "hub";
  /** A province's link to the hub; absent when it is not federated (SSCARD_HUB_URL unset). */
  hub?: Readonly<{
    /** SSCARD_HUB_URL: the hub's address. */
    url: string;
    /** SSCARD_PROVINCE: this province's code (the first two digits of its areas' codes). */
    province: string;
    /** SSCARD_HUB_KEY: the key this province signs its requests with (the hub holds the same). */
    key: Buffer;
    /** SSCARD_NATIONAL_INDEX_KEY: the key of the national blind index of ID numbers. */
    indexKey: Buffer;
  }>;
  /** The hub's keys of each province (SSCARD_HUB_PROVINCES=33=<hex>,44=<hex>). */
  provinceKeys: ReadonlyMap<string, Buffer>;
  /** The hub: where it reaches each province (SSCARD_HUB_PROVINCE_URLS=33=http://…,44=http://…). */
  provinceUrls: ReadonlyMap<string, string>;
  /** The hub: the SM2 private key it signs national e-card credentials with (SSCARD_HUB_ECARD_KEY). */
  ecardKey?: Buffer;
}>;

const hex32 = (value: string, name: string) => {
  if (!/^[0-9a-fA-F]{64}$/.test(value)) throw new Error(`${name} must be 64 hex characters (32 bytes)`);
  return Buffer.from(value, "hex");
};

/** Reads the national settings; an incomplete set is refused at start, naming what is missing. */
export function nationalConfig(env: Readonly<Record<string, string | undefined>>): NationalConfig {
  const role = env.SSCARD_ROLE || "province";
  if (role !== "province" && role !== "hub") throw new Error(`SSCARD_ROLE is province or hub, got "${role}"`);
  const url = env.SSCARD_HUB_URL?.replace(/\/+$/, "");
  if (url && !/^https?:\/\/[^\s/]+/.test(url)) throw new Error("SSCARD_HUB_URL must be an http(s) address");
  if (url && (!env.SSCARD_HUB_KEY || !env.SSCARD_NATIONAL_INDEX_KEY || !env.SSCARD_PROVINCE))
    throw new Error("SSCARD_HUB_URL needs SSCARD_PROVINCE, SSCARD_HUB_KEY and SSCARD_NATIONAL_INDEX_KEY");
  if (url && !/^\d{2}$/.test(env.SSCARD_PROVINCE ?? ""))
    throw new Error("SSCARD_PROVINCE is the province's two-digit code, for example 33");
  const provinceKeys = parseProvinceKeys(env.SSCARD_HUB_PROVINCES ?? "");
  if (role === "hub" && provinceKeys.size === 0)
    throw new Error("SSCARD_ROLE=hub needs SSCARD_HUB_PROVINCES (each province's request key)");
  const provinceUrls = new Map<string, string>();
  for (const part of (env.SSCARD_HUB_PROVINCE_URLS ?? "")
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^(\d{2})=(https?:\/\/\S+?)\/*$/.exec(part);
    if (!m)
      throw new Error(`SSCARD_HUB_PROVINCE_URLS: "${part}" is not <2-digit province>=http(s)://address`);
    provinceUrls.set(m[1], m[2]);
  }
  return Object.freeze({
    role,
    provinceUrls,
    ...(env.SSCARD_HUB_ECARD_KEY
      ? { ecardKey: hex32(env.SSCARD_HUB_ECARD_KEY, "SSCARD_HUB_ECARD_KEY") }
      : {}),
    ...(url
      ? {
          hub: Object.freeze({
            url,
            province: env.SSCARD_PROVINCE!,
            key: hex32(env.SSCARD_HUB_KEY ?? "", "SSCARD_HUB_KEY"),
            indexKey: hex32(env.SSCARD_NATIONAL_INDEX_KEY ?? "", "SSCARD_NATIONAL_INDEX_KEY"),
          }),
        }
      : {}),
    provinceKeys,
  });
}
