import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { createInterface } from "node:readline/promises";
import { parseArgs } from "node:util";
import type { Db } from "../db/database.ts";
import { type Component, combineComponents } from "../modules/keys/ceremony.ts";
import { KEY_TYPES, type KeyAlgorithm, type KeyType } from "../modules/keys/derivation.ts";
import { createHsm } from "../modules/keys/hsm.ts";
import { createKeysRepository } from "../modules/keys/keys.repository.ts";
import { type HsmConfig, openLmk } from "../modules/keys/open-lmk.ts";
import { importPkcs11Lmk } from "../modules/keys/pkcs11-lmk.ts";
import type { Clock } from "../shared/clock.ts";

/** Reads one line from a terminal in raw mode, echoing `*` for a secret (backspace works, Ctrl-C aborts). */
function readTerminalLine(secret: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let value = "";
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n") {
          stdin.off("data", onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stdout.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") {
          stdin.setRawMode(false);
          return reject(new Error("the ceremony was interrupted"));
        }
        if (ch === "\u007f" || ch === "\b") {
          if (value.length) {
            value = value.slice(0, -1);
            process.stdout.write("\b \b");
          }
          continue;
        }
        value += ch;
        process.stdout.write(secret ? "*" : ch);
      }
    };
    stdin.on("data", onData);
  });
}

/** Components from a JSON file (`{ "components": [{ "custodian", "hex" }] }`) or typed by each custodian in turn. */
async function components(file: string | undefined, count: number): Promise<Component[]> {
  if (file) return (JSON.parse(readFileSync(file, "utf8")) as { components: Component[] }).components;
  let ask: (prompt: string, secret: boolean) => Promise<string>;
  let close = () => {};
  if (process.stdin.isTTY) {
    ask = async (prompt, secret) => {
      process.stdout.write(prompt);
      return (await readTerminalLine(secret)).trim();
    };
  } else {
    const rl = createInterface({ input: process.stdin, terminal: false });
    const lines = rl[Symbol.asyncIterator]();
    close = () => rl.close();
    ask = async (prompt) => {
      process.stdout.write(`${prompt}\n`);
      const next = await lines.next();
      if (next.done) throw new Error("the ceremony was interrupted");
      return String(next.value).trim();
    };
  }
  const out: Component[] = [];
  try {
    for (let i = 1; i <= count; i++) {
      const custodian = await ask(`custodian ${i} of ${count}, your name: `, false);
      const hex = await ask(`${custodian}, type your component (hex; it is not shown or stored): `, true);
      out.push({ custodian, hex });
    }
  } finally {
    close();
  }
  return out;
}

/** `sscard keys ceremony|derive|retire|ca|list`: the encryption machine's key management. */
export async function keysCommand(
  sub: string,
  db: Db,
  config: HsmConfig,
  args: string[],
  clock: Clock,
): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      lmk: { type: "boolean" },
      national: { type: "string" },
      algorithm: { type: "string", default: "SM4" },
      version: { type: "string", default: "1" },
      file: { type: "string" },
      custodians: { type: "string", default: "2" },
      province: { type: "string" },
      city: { type: "string" },
      area: { type: "string" },
      party: { type: "string" },
      export: { type: "boolean" },
      import: { type: "boolean" },
      out: { type: "string" },
      "from-province": { type: "boolean" },
    },
  });
  const algorithm = values.algorithm as KeyAlgorithm;
  if (algorithm !== "SM4" && algorithm !== "TDES") throw new Error("--algorithm is SM4 or TDES");
  if (sub === "ceremony" && values.lmk) {
    if (config.kind === "software" && existsSync(config.lmkFile))
      throw new Error(`an LMK exists at ${config.lmkFile}; keys wrapped under it would be lost`);
    const made = combineComponents(await components(values.file, Number(values.custodians)), "AES");
    if (made.key.length !== 32) throw new Error("LMK components are 32 bytes");
    for (const c of made.componentKcvs) console.log(`component of ${c.custodian}: KCV ${c.kcv}`);
    if (config.kind === "pkcs11") {
      const stored = importPkcs11Lmk(config, made.key);
      if (stored.kcv !== made.kcv) throw new Error(`the token computes KCV ${stored.kcv}, not ${made.kcv}`);
      console.log(`LMK stored in token ${config.token} as ${config.keyLabel}, KCV ${made.kcv}`);
      return 0;
    }
    mkdirSync(dirname(config.lmkFile), { recursive: true });
    writeFileSync(config.lmkFile, `${JSON.stringify({ lmk: made.key.toString("hex"), kcv: made.kcv })}\n`, {
      mode: 0o600,
    });
    console.log(`LMK written to ${config.lmkFile}, KCV ${made.kcv}`);
    return 0;
  }
  const lmk = openLmk(config);
  if (!lmk) throw new Error("no LMK: run `npm run sscard -- keys ceremony --lmk` first");
  const hsm = createHsm({ keys: createKeysRepository(db.db), lmk, now: () => clock.now() });
  const version = Number(values.version);
  if (sub === "ceremony" && values.national) {
    const type = values.national as KeyType;
    if (!(type in KEY_TYPES)) throw new Error(`key type is one of ${Object.keys(KEY_TYPES).join(", ")}`);
    const r = await hsm.importNationalKey({
      type,
      algorithm,
      version,
      components: await components(values.file, Number(values.custodians)),
    });
    for (const c of r.componentKcvs) console.log(`component of ${c.custodian}: KCV ${c.kcv}`);
    console.log(`imported ${r.label}, KCV ${r.kcv}`);
    return 0;
  }
  if (sub === "transport") {
    // A transport key shared with another party (the ministry, the card factory), from its components.
    if (!values.party || !values.area) throw new Error("transport needs --party <name> --area <code>");
    const r = await hsm.importTransportKey({
      party: values.party,
      area: values.area,
      version,
      components: await components(values.file, Number(values.custodians)),
    });
    for (const c of r.componentKcvs) console.log(`component of ${c.custodian}: KCV ${c.kcv}`);
    console.log(`imported ${r.label}, KCV ${r.kcv}`);
    return 0;
  }
  if (sub === "handover" && values.export) {
    // The ministry's machine: a province's sub-key, only under their transport key (Measures Art. 21, 23).
    if (!values.national || !values.province || !values.out)
      throw new Error("handover --export needs --national <type> --province <code> --out <json>");
    const type = values.national as KeyType;
    const r = await hsm.exportProvinceKey({ type, algorithm, version, province: values.province });
    const record = { type, algorithm, version, province: values.province, ...r };
    writeFileSync(values.out, `${JSON.stringify(record)}\n`, { mode: 0o600 });
    console.log(`${r.label} under ${r.transportKey} written to ${values.out}, KCV ${r.kcv}`);
    return 0;
  }
  if (sub === "handover" && values.import) {
    // The province's machine: opened under its copy of the transport key, checked against the KCV.
    if (!values.file) throw new Error("handover --import needs --file <json> (what the ministry exported)");
    const r = await hsm.importProvinceKey(JSON.parse(readFileSync(values.file, "utf8")));
    console.log(`imported ${r.label}, KCV ${r.kcv}`);
    return 0;
  }
  if (sub === "local") {
    if (!values.area) throw new Error("local needs --area <code>");
    const r = await hsm.generateLocalKey({ area: values.area, version });
    console.log(`generated ${r.label}, KCV ${r.kcv}`);
    return 0;
  }
  if (sub === "derive") {
    // From the province's own imported sub-key (--from-province), or from the national key on this machine.
    const fromProvince = Boolean(values["from-province"]);
    if (!values.national || !values.province || !values.city)
      throw new Error(
        `derive${fromProvince ? " --from-province" : ""} needs --national <type> --province --city`,
      );
    const input = {
      type: values.national as KeyType,
      algorithm,
      version,
      province: values.province,
      city: values.city,
    };
    const r = fromProvince ? await hsm.deriveCityKey(input) : await hsm.deriveAreaKeys(input);
    console.log(
      "label" in r
        ? `stored ${r.label} from the province's key; city key KCV ${r.cityKcv}`
        : `stored ${values.province} and ${values.city} ${values.national} keys (v${version}); city key KCV ${r.cityKcv}`,
    );
    return 0;
  }
  if (sub === "retire") {
    if (!values.area) throw new Error("retire needs --area <code> --version <n>");
    const n = await hsm.retireVersion({ area: values.area, algorithm, version });
    console.log(`retired ${n} ${algorithm} keys of version ${version} in ${values.area}`);
    return 0;
  }
  if (sub === "ca") {
    if (!values.area) throw new Error("ca needs --area <code>");
    const r = await hsm.createAreaCa({ area: values.area, version });
    console.log(`made ${r.label}; public key ${r.publicKey}`);
    return 0;
  }
  if (sub === "list") {
    for (const k of await hsm.list())
      console.log(
        `${k.label.padEnd(40)} ${k.usage.padEnd(16)} ${k.algorithm} v${k.keyVersion}${k.retiredAt ? " retired" : ""}`,
      );
    return 0;
  }
  console.error(
    "keys commands: ceremony --lmk | ceremony --national <type> | derive [--from-province] | transport --party --area | handover --export|--import | local --area | retire | ca | list",
  );
  return 2;
}
