import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { CARD_KEY_TYPES } from "../modules/chip/personalise.ts";
import { combineComponents } from "../modules/keys/ceremony.ts";
import type { Hsm } from "../modules/keys/hsm.ts";
import type { HsmConfig } from "../modules/keys/open-lmk.ts";

/** Two demo custodians' components of a key of `bytes` bytes, drawn at random (a real ceremony types them). */
const demoComponents = (bytes: number) => [
  { custodian: "演示保管员 甲", hex: randomBytes(bytes).toString("hex") },
  { custodian: "演示保管员 乙", hex: randomBytes(bytes).toString("hex") },
];

/** Two demo custodians' components whose XOR is `key` (each alone says nothing of it). */
const splitKey = (key: Buffer) => {
  const mask = randomBytes(key.length);
  return [
    { custodian: "演示保管员 甲", hex: Buffer.from(key.map((b, i) => b ^ mask[i])).toString("hex") },
    { custodian: "演示保管员 乙", hex: mask.toString("hex") },
  ];
};

/**
 * The demo's LMK ceremony (software machine, no LMK yet): two demo custodians' random components
 * combined and written to the LMK file (0600), as `sscard keys ceremony --lmk` does. Answers what it
 * did, to print (nothing when it did nothing); a PKCS#11 token's LMK is never made here.
 */
export function ensureDemoLmk(config: HsmConfig): string | undefined {
  if (config.kind !== "software" || existsSync(config.lmkFile)) return undefined;
  const made = combineComponents(demoComponents(32), "AES");
  mkdirSync(dirname(config.lmkFile), { recursive: true });
  writeFileSync(config.lmkFile, `${JSON.stringify({ lmk: made.key.toString("hex"), kcv: made.kcv })}\n`, {
    mode: 0o600,
  });
  return `demo: LMK ceremony run with two demo custodians' random components, written to ${config.lmkFile}`;
}

/**
 * The key ceremonies a province runs before issuing cards (docs/keys.md), with generated components:
 * the national control keys of every type a card carries, each city's keys derived from them, each
 * city's SM2 CA key, and the transport key shared with each city's card factory, at `version`. Keys
 * the machine already holds are kept (a ceremony is never run twice). Answers the factories'
 * transport keys it made (`factoryKey`: that key for every factory), which the demo's simulated
 * factory and the tests use to make chips; a real factory builds it from its custodians' components.
 */
export async function seedDemoKeys(
  hsm: Hsm,
  cities: readonly (readonly [province: string, city: string])[],
  options: { version?: number; factoryKey?: Buffer } = {},
): Promise<Map<string, Buffer>> {
  const version = options.version ?? 1;
  const held = new Set((await hsm.list()).map((k) => k.label));
  for (const type of Object.values(CARD_KEY_TYPES)) {
    if (!held.has(`nat-${type}-SM4-v${version}`))
      await hsm.importNationalKey({ type, algorithm: "SM4", version, components: demoComponents(16) });
    for (const [province, city] of cities)
      await hsm.deriveAreaKeys({ type, algorithm: "SM4", version, province, city });
  }
  const factories = new Map<string, Buffer>();
  for (const [, city] of cities) {
    if (!held.has(`ca-${city}-SM2-v${version}`)) await hsm.createAreaCa({ area: city, version });
    if (held.has(`tk-factory-${city}-SM4-v${version}`)) continue;
    const key = options.factoryKey ?? randomBytes(16);
    await hsm.importTransportKey({ party: "factory", area: city, version, components: splitKey(key) });
    factories.set(city, key);
  }
  return factories;
}

/** Writes the demo's chips as virtual card files (0600: they hold the chips' keys) into `<dir>/demo-chips`. */
export function saveDemoChips(chips: readonly { cardNumber: string; image: unknown }[], dir: string): string {
  const out = join(dir, "demo-chips");
  mkdirSync(out, { recursive: true });
  for (const c of chips)
    writeFileSync(join(out, `${c.cardNumber}.json`), `${JSON.stringify(c.image)}\n`, { mode: 0o600 });
  return out;
}
