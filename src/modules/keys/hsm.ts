import { randomBytes } from "node:crypto";
import type { Kysely } from "kysely";
import { sm2 } from "sm-crypto-v2";
import type { Database } from "../../db/schema.ts";
import { canonicalJson } from "../../shared/canonical-json.ts";
import { DomainError } from "../../shared/errors.ts";
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
import { createKeysRepository, type KeysRepository } from "./keys.repository.ts";
import {
  areaLabel,
  CA_USAGE,
  COMPONENT_USAGE,
  caLabel,
  LOCAL_EXTENSION_USAGE,
  localLabel,
  nationalLabel,
  TRANSPORT_USAGE,
  transportLabel,
} from "./labels.ts";
import type { Lmk } from "./lmk.ts";
import { type Signed, SM2_USER_ID } from "./signer.ts";
import { cbcMac, unwrapUnderTransport, wrapUnderTransport } from "./transport.ts";

export class HsmError extends Error {}

export type CardKeyInput = Readonly<{
  type: KeyType;
  algorithm: KeyAlgorithm;
  version: number;
  city: string;
  cardIdCode: string;
}>;

/**
 * The encryption machine. Its LMK is either in this process (software) or in a PKCS#11 token; every
 * other key is in the database only as a key block sealed by the LMK. Card and session keys are
 * derived when needed and never stored. Only check values, public keys, signatures and metadata
 * leave it (and a PSAM's exportable city keys, on the PSAM issue path only).
 *
 * Key versions: each city key type can have several versions; new cards take the newest one not
 * retired, and a retired version refuses every use (`KEY_VERSION_RETIRED`).
 */
export function createHsm(deps: { keys: KeysRepository; lmk: Lmk; now: () => Date }) {
  const { lmk, keys } = deps;

  async function store(header: KeyBlockHeader, key: Buffer, areaCode: string | null, publicKey?: string) {
    if (await keys.byLabel(header.label)) throw new HsmError(`key ${header.label} exists`);
    await keys.insert({
      label: header.label,
      usage: header.usage,
      algorithm: header.algorithm,
      key_version: header.keyVersion,
      area_code: areaCode,
      block: wrapKey(lmk, header, key),
      public_key: publicKey ?? null,
      created_at: deps.now().toISOString(),
      retired_at: null,
    });
  }

  /** A stored key, refused when it does not exist or its version is retired. */
  async function load(label: string, usage: string): Promise<Buffer> {
    const row = await keys.byLabel(label);
    if (!row) throw new DomainError("KEY_NOT_FOUND", { label });
    if (row.retired_at) throw new DomainError("KEY_VERSION_RETIRED", { label });
    return unwrapKey(lmk, row.block, usage).key;
  }

  /** A card's key of one type, diversified from its city key when needed (never stored). */
  async function cardKey(input: CardKeyInput): Promise<Buffer> {
    const city = await load(areaLabel(input.type, input.algorithm, input.version, input.city), input.type);
    return diversify(input.algorithm, city, cardData(input.cardIdCode));
  }

  return {
    kind: lmk.kind,

    /** This machine writing its key store in the caller's transaction (a ceremony's key with its record). */
    within: (trx: Kysely<Database>) => createHsm({ ...deps, keys: createKeysRepository(trx) }),

    /** Seals a custodian's component under the LMK while its ceremony waits for the others. */
    sealComponent: (label: string, algorithm: KeyAlgorithm, component: Buffer) =>
      wrapKey(
        lmk,
        { usage: COMPONENT_USAGE, algorithm, keyVersion: 1, exportability: "N", label },
        component,
      ),

    /** A sealed component, opened for the ceremony that combines it (never leaves the process). */
    openComponent: (block: string) => unwrapKey(lmk, block, COMPONENT_USAGE).key,

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

    /**
     * Imports a transport key an area shares with another party (`factory`: its card factory) from
     * custodians' components; the other party builds the same key from the same components.
     */
    async importTransportKey(input: {
      party: string;
      area: string;
      version: number;
      components: readonly Component[];
    }) {
      if (!/^[a-z]{2,20}$/.test(input.party)) throw new HsmError("a party is 2 to 20 lowercase letters");
      const made = combineComponents(input.components, "SM4");
      const label = transportLabel(input.party, input.area, input.version);
      const header = {
        usage: TRANSPORT_USAGE,
        algorithm: "SM4",
        keyVersion: input.version,
        exportability: "N",
      } as const;
      await store({ ...header, label }, made.key, input.area);
      return { label, kcv: made.kcv, componentKcvs: made.componentKcvs };
    },

    /**
     * Enciphers keys for an area's party under its newest transport key not retired, each with its
     * check value (what the receiver verifies). The clear keys come from this machine's own
     * derivations; the transport key is opened once for a whole production batch.
     */
    async transportWrapper(party: string, area: string) {
      const row = (await keys.byArea(area, TRANSPORT_USAGE, "SM4")).find(
        (r) => r.label.startsWith(`tk-${party}-${area}-`) && !r.retired_at,
      );
      if (!row) throw new DomainError("KEY_NOT_FOUND", { label: `transport ${party} ${area}` });
      const tk = unwrapKey(lmk, row.block, TRANSPORT_USAGE).key;
      return {
        transportKey: row.label,
        wrap: (key: Buffer) => ({
          wrapped: wrapUnderTransport(tk, key),
          kcv: keyCheckValue("SM4", key.subarray(0, 16)),
        }),
      };
    },

    /**
     * The ministry hands a province its sub-key of one type (Measures Art. 21, 23): derived here from the
     * national control key, it leaves this machine only enciphered under the transport key the ministry
     * shares with that province (built from custodians' components under dual control), with its check
     * value. Nothing else of it is kept or shown.
     */
    async exportProvinceKey(input: {
      type: KeyType;
      algorithm: KeyAlgorithm;
      version: number;
      province: string;
    }) {
      const national = await load(nationalLabel(input.type, input.algorithm, input.version), input.type);
      const key = diversify(input.algorithm, national, areaData(input.province));
      const wrapper = await this.transportWrapper("ministry", input.province);
      return {
        label: areaLabel(input.type, input.algorithm, input.version, input.province),
        transportKey: wrapper.transportKey,
        ...wrapper.wrap(key),
      };
    },

    /**
     * The province's machine imports its sub-key from the ministry: opened under its own copy of the
     * shared transport key, checked against the check value that came beside it (a key changed on the way,
     * or another transport key, is refused), and kept as an exportable key block for its cities and PSAMs.
     */
    async importProvinceKey(input: {
      type: KeyType;
      algorithm: KeyAlgorithm;
      version: number;
      province: string;
      wrapped: string;
      kcv: string;
    }) {
      const row = (await keys.byArea(input.province, TRANSPORT_USAGE, "SM4")).find(
        (r) => r.label.startsWith(`tk-ministry-${input.province}-`) && !r.retired_at,
      );
      if (!row) throw new DomainError("KEY_NOT_FOUND", { label: `transport ministry ${input.province}` });
      const key = unwrapUnderTransport(unwrapKey(lmk, row.block, TRANSPORT_USAGE).key, input.wrapped);
      if (keyCheckValue("SM4", key.subarray(0, 16)) !== input.kcv.toUpperCase())
        throw new DomainError("KEY_CHECK_FAILED", { label: `${input.province} ${input.type}` });
      const label = areaLabel(input.type, input.algorithm, input.version, input.province);
      await store(
        {
          usage: input.type,
          algorithm: input.algorithm,
          keyVersion: input.version,
          exportability: "E",
          label,
        },
        key,
        input.province,
      );
      return { label, kcv: keyCheckValue(input.algorithm, key) };
    },

    /** The province derives a city's key from its own sub-key (the next step down), for the city's cards and PSAMs. */
    async deriveCityKey(input: {
      type: KeyType;
      algorithm: KeyAlgorithm;
      version: number;
      province: string;
      city: string;
    }) {
      const province = await load(
        areaLabel(input.type, input.algorithm, input.version, input.province),
        input.type,
      );
      const city = diversify(input.algorithm, province, areaData(input.city));
      const label = areaLabel(input.type, input.algorithm, input.version, input.city);
      if (!(await keys.byLabel(label)))
        await store(
          {
            usage: input.type,
            algorithm: input.algorithm,
            keyVersion: input.version,
            exportability: "E",
            label,
          },
          city,
          input.city,
        );
      return { label, cityKcv: keyCheckValue(input.algorithm, city) };
    },

    /**
     * An area's own key for its locally extended card files (Measures Art. 21: provinces and cities
     * generate their own local keys): random in this machine, not derived from any national key, never
     * exportable. Returns its label and check value (for the custodians' record).
     */
    async generateLocalKey(input: { area: string; version: number }) {
      const key = randomBytes(16);
      const label = localLabel(input.area, input.version);
      await store(
        {
          usage: LOCAL_EXTENSION_USAGE,
          algorithm: "SM4",
          keyVersion: input.version,
          exportability: "N",
          label,
        },
        key,
        input.area,
      );
      return { label, kcv: keyCheckValue("SM4", key) };
    },

    /** The MAC an area's local key gives its extension file's content (SM4 CBC-MAC over the padded data). */
    async localExtensionMac(input: { area: string; version: number; data: Buffer }) {
      const key = await load(localLabel(input.area, input.version), LOCAL_EXTENSION_USAGE);
      return cbcMac(key, input.data);
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

    /** The versions of a city's keys of one type not retired, newest first (new cards take the first). */
    async activeVersions(input: { type: KeyType; algorithm: KeyAlgorithm; city: string }) {
      const rows = await keys.byArea(input.city, input.type, input.algorithm);
      return rows
        .filter((r) => !r.retired_at)
        .map((r) => Number(r.key_version))
        .sort((a, b) => b - a);
    },

    /** Retires every key of one version of an area (all types): cards on it are refused until reissued. */
    async retireVersion(input: { area: string; algorithm: KeyAlgorithm; version: number }) {
      return keys.retire(input.area, input.algorithm, input.version, deps.now().toISOString());
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

    /** One card key of a type: for personalisation, issuer scripts and TAC checks (inside sscard only). */
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
        if (!row) throw new DomainError("KEY_NOT_FOUND", { label: `${input.city} ${type}` });
        if (row.retired_at) continue;
        const { header, key } = unwrapKey(lmk, row.block, type);
        if (header.exportability !== "E") throw new HsmError(`${row.label} is not exportable`);
        out[type] = key.toString("hex");
      }
      return out;
    },

    /**
     * Makes an area's SM2 certification key (for card holder certificates): the private key is sealed
     * under the LMK and never exportable; the public key is returned and kept beside it.
     */
    async createAreaCa(input: { area: string; version: number }) {
      const pair = sm2.generateKeyPairHex();
      const label = caLabel(input.area, input.version);
      await store(
        { usage: CA_USAGE, algorithm: "SM2", keyVersion: input.version, exportability: "N", label },
        Buffer.from(pair.privateKey, "hex"),
        input.area,
        pair.publicKey,
      );
      return { label, publicKey: pair.publicKey };
    },

    /** An area's newest CA key not retired: its label and public key. */
    async areaCa(area: string) {
      const row = (await keys.byArea(area, CA_USAGE, "SM2")).find((r) => !r.retired_at);
      if (!row?.public_key) throw new DomainError("KEY_NOT_FOUND", { label: `CA ${area}` });
      return { label: row.label, publicKey: row.public_key, version: Number(row.key_version) };
    },

    /** Signs a document with an area's CA key inside the machine: SM2 with SM3 and the standard user ID. */
    async signWithAreaCa<T extends object>(area: string, doc: T): Promise<Signed<T>> {
      const ca = await this.areaCa(area);
      const priv = (await load(ca.label, CA_USAGE)).toString("hex");
      const signature = sm2.doSignature(canonicalJson(doc), priv, {
        hash: true,
        der: false,
        userId: SM2_USER_ID,
      });
      return { ...doc, signature, publicKey: ca.publicKey, userId: SM2_USER_ID, algorithm: "SM2-SM3" };
    },

    /** Metadata of the stored keys; never a key or its check value. */
    async list() {
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

export type Hsm = ReturnType<typeof createHsm>;
