import type { Kysely } from "kysely";
import type { Database } from "../../db/schema.ts";
import { type Component, combineComponents } from "./ceremony.ts";
import {
  areaData,
  cardData,
  diversify,
  type KeyAlgorithm,
  type KeyType,
  keyCheckValue,
} from "./derivation.ts";
import { type KeyBlockHeader, unwrapKey, wrapKey } from "./key-block.ts";
import { createKeysRepository } from "./keys.repository.ts";

export class HsmError extends Error {}

export type KeyInfo = Readonly<{
  label: string;
  usage: string;
  algorithm: string;
  keyVersion: number;
  areaCode: string | null;
  createdAt: string;
  retiredAt: string | null;
}>;

const nationalLabel = (type: KeyType, algorithm: KeyAlgorithm, version: number) =>
  `nat-${type}-${algorithm}-v${version}`;
const areaLabel = (type: KeyType, algorithm: KeyAlgorithm, version: number, area: string) =>
  `area-${area}-${type}-${algorithm}-v${version}`;

/**
 * The software encryption machine: it holds the LMK in memory (loaded from its file, made by a
 * ceremony) and keeps every other key in the database only as LMK key blocks. Card and session keys
 * are derived when needed and never stored. Only check values and metadata leave it.
 */
export function createSoftwareHsm(deps: { db: Kysely<Database>; lmk: Buffer; now: () => Date }) {
  const { lmk } = deps;
  const keys = createKeysRepository(deps.db);
  if (lmk.length !== 32) throw new HsmError("the LMK is 32 bytes");

  async function store(header: KeyBlockHeader, key: Buffer, areaCode: string | null) {
    if (await keys.byLabel(header.label)) throw new HsmError(`key ${header.label} exists`);
    await keys.insert({
      label: header.label,
      usage: header.usage,
      algorithm: header.algorithm,
      key_version: header.keyVersion,
      area_code: areaCode,
      block: wrapKey(lmk, header, key),
      created_at: deps.now().toISOString(),
      retired_at: null,
    });
  }

  async function load(label: string, usage: string): Promise<Buffer> {
    const row = await keys.byLabel(label);
    if (!row) throw new HsmError(`no key ${label}`);
    return unwrapKey(lmk, row.block, usage).key;
  }

  type CardKeyInput = {
    type: KeyType;
    algorithm: KeyAlgorithm;
    version: number;
    city: string;
    cardIdCode: string;
  };

  /** A card's key of one type, diversified from its city key when needed (never stored). */
  async function cardKey(input: CardKeyInput): Promise<Buffer> {
    const city = await load(areaLabel(input.type, input.algorithm, input.version, input.city), input.type);
    return diversify(input.algorithm, city, cardData(input.cardIdCode));
  }

  return {
    /** Imports a national control key from custodians' components (ceremony); returns its check value. */
    async importNationalKey(input: {
      type: KeyType;
      algorithm: KeyAlgorithm;
      version: number;
      components: readonly Component[];
    }) {
      const made = combineComponents(input.components, input.algorithm);
      const label = nationalLabel(input.type, input.algorithm, input.version);
      await store(
        {
          usage: input.type,
          algorithm: input.algorithm,
          keyVersion: input.version,
          exportability: "N",
          label,
        },
        made.key,
        null,
      );
      return { label, kcv: made.kcv, componentKcvs: made.componentKcvs };
    },

    /** Diversifies and stores a province's and a city's keys of one type and version (for the city's PSAMs). */
    async deriveAreaKeys(input: {
      type: KeyType;
      algorithm: KeyAlgorithm;
      version: number;
      province: string;
      city: string;
    }) {
      const national = await load(nationalLabel(input.type, input.algorithm, input.version), input.type);
      const province = diversify(input.algorithm, national, areaData(input.province));
      const city = diversify(input.algorithm, province, areaData(input.city));
      const header = (area: string): KeyBlockHeader => ({
        usage: input.type,
        algorithm: input.algorithm,
        keyVersion: input.version,
        exportability: "E",
        label: areaLabel(input.type, input.algorithm, input.version, area),
      });
      for (const [area, key] of [
        [input.province, province],
        [input.city, city],
      ] as const) {
        const label = header(area).label;
        const exists = await keys.byLabel(label);
        if (!exists) await store(header(area), key, area);
      }
      return { cityKcv: keyCheckValue(input.algorithm, city) };
    },

    /** A card's key of one type, derived from its city key on demand (never stored). */
    async cardKeyCheckValue(input: CardKeyInput) {
      return keyCheckValue(input.algorithm, await cardKey(input));
    },

    /**
     * The card keys written into a chip at personalisation (and what a PSAM computes from its city
     * keys): internal- and external-authentication keys diversified with the card identification code.
     */
    async cardAuthenticationKeys(input: Omit<CardKeyInput, "type">) {
      return {
        internalAuth: await cardKey({ ...input, type: "internal_auth" }),
        externalAuth: await cardKey({ ...input, type: "external_auth" }),
      };
    },

    /** One card key of a type: for personalisation and TAC checks. */
    cardKey,

    /**
     * The city keys a PSAM carries (exportable key blocks only), for writing into the PSAM at issue.
     * Only the PSAM issue path calls this; its output goes into the secure element, never to an API.
     */
    async exportCityKeysForPsam(input: {
      algorithm: KeyAlgorithm;
      version: number;
      city: string;
      types: readonly KeyType[];
      /** Types included only when the city has them. */
      optional?: readonly KeyType[];
    }) {
      const out: Partial<Record<KeyType, string>> = {};
      for (const type of [...input.types, ...(input.optional ?? [])]) {
        const row = await keys.byLabel(areaLabel(type, input.algorithm, input.version, input.city));
        if (!row && input.optional?.includes(type)) continue;
        if (!row) throw new HsmError(`no ${type} key for ${input.city}`);
        const { header, key } = unwrapKey(lmk, row.block, type);
        if (header.exportability !== "E") throw new HsmError(`${row.label} is not exportable`);
        out[type] = key.toString("hex");
      }
      return out;
    },

    /** Metadata of the stored keys; never a key or its check value. */
    async list(): Promise<KeyInfo[]> {
      const rows = await keys.list();
      return rows.map((r) => ({
        label: r.label,
        usage: r.usage,
        algorithm: r.algorithm,
        keyVersion: Number(r.key_version),
        areaCode: r.area_code,
        createdAt: r.created_at,
        retiredAt: r.retired_at,
      }));
    },
  };
}

export type SoftwareHsm = ReturnType<typeof createSoftwareHsm>;
