import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { parseArgs } from "node:util";
import type { Db } from "../db/database.ts";
import { migrateToLatest, pendingMigrations } from "../db/migrate.ts";
import { saveDemoChips } from "../demo/demo.keys.ts";
import { formatDemoCredentials, isDemoSeeded, seedDemo } from "../demo/demo.seed.ts";
import type { Deps } from "../deps.ts";
import type { RowReport } from "../modules/cards/cards.service.ts";
import { qrTextOfPdf } from "../modules/certificates/certificates.pdf.ts";
import { verifyCode } from "../modules/ecard/ecard-code.ts";
import { SYSTEM_ACTOR } from "../shared/auth.ts";
import { isDomainError } from "../shared/errors.ts";
import { languageOf, messageFor } from "../shared/messages.ts";
import { worded } from "../shared/row-reasons.ts";
import { kioskRegisterCommand } from "./kiosk.ts";
import { phoneAgiCommand, phoneSipCommand } from "./phone.ts";

export const HELP = `sscard: the social security card platform's command line

Usage: npm run sscard -- <command> [options]

  db migrate                      apply pending database migrations
  db status                       list pending migrations
  admin create --username <name> [--display-name <text>] [--password <pw>]
                                  create a ministry administrator (a password is generated when not given)
  audit verify [--anchor <seq>:<hash>]
                                  check the whole audit hash chain and its signed checkpoints; exit 1 at
                                  the first bad record (or the first after the last checkpoint that holds)
  audit checkpoint                seal the chain's head with a checkpoint signed by the audit key
  cards apply-batch --area <code> --file <csv> [--report <json>]
                                  an employer's card applications (CSV, see docs/cards.md), with progress
  cards production --area <code> --out <csv>
                                  send the area's applications to the card factory; writes the factory file
                                  and <csv>.personalisation.jsonl (the chips' keys under the transport key)
  cards return --batch <id> --file <csv>
                                  import the factory's return file (ok rows are delivered)
  cards import-legacy --file <csv>
                                  import cards from a legacy system (spec 2.00/2.01/3.00)
  cards daily [--date YYYY-MM-DD] expire cards, list renewal windows opening, cancel unrevoked pre-losses
  cards duplicates [--province NN]
                                  persons with several cards in a province and what to do with each
  keys ceremony --lmk [--file <json>] [--custodians N]
                                  build the LMK from custodians' components (file or PKCS#11 token)
  keys ceremony --national <type> [--algorithm SM4|TDES] [--version N] [--file <json>]
                                  import a national control key from components (dual control)
  keys derive --national <type> --province <code> --city <code> [--algorithm] [--version]
                                  diversify and store a province's and a city's keys
  keys transport | handover --export|--import | local | derive --from-province   (docs/keys.md)
  ecard verify <code> [--issuer-keys <json>] [--status-list <json>] [--type payment|identity]
                                  verify an e-card QR code offline, as a terminal does (exit 1 when refused)
  certificate verify <file.pdf | QR text> [--key <public key hex>]
  kiosk agent [--port 17300] [--origin http://127.0.0.1:8080] [--terminal <json>]
              [--pcsc-psam <reader name>] [--printer <ipp url>] [--simulate]
  kiosk register --terminal <12 digits> --area <code> --name <outlet> --out <json> [--institution <code>]
  phone agi [--port 4573] [--host 127.0.0.1]   the FastAGI server for Asterisk (12333, 96102)
  phone prompts --dir <dir>                     the prompts spoken (espeak-ng) for the switch
  phone sip --line <12333|96102> --key <key> [--port 5070]   a line's SIP endpoint (baresip)
                                  the kiosk's device agent on 127.0.0.1 (--simulate: simulated ID card reader and card slot)
                                  check a certificate's signed QR (the area's key, or this platform's)
                                  and its status in the register; names what is wrong (exit 1)
  keys retire --area <code> --version N [--algorithm]
                                  retire one key version of an area (its cards are refused)
  keys ca --area <code> [--version N]
                                  make an area's SM2 CA key for card holder certificates
  keys list                       the stored keys' labels and metadata (never a key or check value)
  terminals register --terminal <12 digits> --area <code> --name <text>
                                  register a terminal (its number begins with the area's region code)
  psam issue --terminal <12 digits> --out <json>
                                  issue a PSAM carrying the city's authentication keys (written to a file)
  medical catalogue --file <csv> --name <text> --effective YYYY-MM-DD [--sample]
                                  import a drug catalogue version (all or nothing, per-row problems listed)
  medical arrears                 compute arrears per person and month; suspend the medical function beyond the grace
  medical transfer --month YYYY-MM
                                  credit the personal-account share of a month's paid contributions (idempotent)
  demo seed                       load the demo province, cities, outlets, staff and persons
  help                            this text

Configuration comes from the same environment variables as the server (DATABASE_URL, SSCARD_*).`;

export type Command = (deps: Deps, db: Db, args: string[]) => Promise<number>;

export const lang = languageOf(process.env.LANG?.startsWith("zh") ? "zh" : "en");

export const commands: Record<string, Command> = {
  "db migrate": async (_deps, db) => {
    const applied = await migrateToLatest(db.db, db.dialect);
    console.log(applied.length ? `applied: ${applied.join(", ")}` : "database schema is current");
    return 0;
  },
  "db status": async (_deps, db) => {
    const pending = await pendingMigrations(db.db, db.dialect);
    console.log(pending.length ? `pending: ${pending.join(", ")}` : "database schema is current");
    return pending.length ? 1 : 0;
  },
  "admin create": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: {
        username: { type: "string" },
        "display-name": { type: "string" },
        password: { type: "string" },
      },
    });
    if (!values.username) {
      console.error("admin create needs --username");
      return 2;
    }
    const password =
      values.password ?? `Adm-${randomBytes(9).toString("base64url")}-${Math.floor(Math.random() * 90 + 10)}`;
    const staff = await deps.staff.bootstrapAdmin({
      username: values.username,
      displayName: values["display-name"] ?? values.username,
      password,
    });
    console.log(`created ministry administrator ${staff.username} (${staff.id})`);
    if (!values.password) console.log(`password (shown once): ${password}`);
    return 0;
  },
  "audit verify": async (deps, _db, args) => {
    const { values } = parseArgs({ args, options: { anchor: { type: "string" } } });
    let anchor: { seq: number; hash: string } | undefined;
    if (values.anchor) {
      const [seq, hash] = values.anchor.split(":");
      anchor = { seq: Number(seq), hash };
    }
    const started = performance.now();
    const result = await deps.audit.verify({ anchor });
    const ms = (performance.now() - started).toFixed(0);
    if (result.ok) {
      console.log(
        `audit chain intact: ${result.checked} records in ${ms} ms; head ${result.headSeq}:${result.headHash}`,
      );
      console.log(
        `sealed by ${result.checkpoints} signed checkpoints up to ${result.sealedSeq}` +
          (result.lastCheckpointAt ? ` (last ${result.lastCheckpointAt})` : "") +
          `; ${result.unsealed} records after it not yet sealed`,
      );
      return 0;
    }
    console.error(messageFor("AUDIT_CHAIN_BROKEN", lang, { seq: result.seq, reason: result.problem }));
    console.error(`(${result.checked} records verified before it, ${ms} ms)`);
    return 1;
  },
  "audit checkpoint": async (deps) => {
    const made = await deps.audit.checkpoint("manual");
    console.log(
      made
        ? `checkpoint signed: head ${made.headSeq}:${made.headHash} (key ${made.keyId})`
        : "no new records since the last checkpoint: nothing to seal",
    );
    return 0;
  },
  "cards apply-batch": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: { area: { type: "string" }, file: { type: "string" }, report: { type: "string" } },
    });
    if (!values.area || !values.file) return usage("cards apply-batch needs --area and --file");
    const result = await deps.cards.applyBatch(
      SYSTEM_ACTOR,
      { areaCode: values.area, csv: readFileSync(values.file, "utf8") },
      progress("rows"),
    );
    return finishReport(result, values.report);
  },
  "cards production": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: { area: { type: "string" }, out: { type: "string" }, limit: { type: "string" } },
    });
    if (!values.area || !values.out) return usage("cards production needs --area and --out");
    const batch = await deps.cards.sendToProduction(SYSTEM_ACTOR, {
      areaCode: values.area,
      limit: values.limit ? Number(values.limit) : undefined,
    });
    writeFileSync(values.out, batch.file, { mode: 0o600 });
    const perso = `${values.out}.personalisation.jsonl`;
    writeFileSync(perso, batch.personalisationFile, { mode: 0o600 });
    console.log(
      `batch ${batch.batchId}: ${batch.cardCount} cards; factory file written to ${values.out} (it holds personal data: transfer it encrypted), the chips' personalisation file (keys under the factory's transport key) to ${perso}`,
    );
    return 0;
  },
  "cards return": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: { batch: { type: "string" }, file: { type: "string" }, report: { type: "string" } },
    });
    if (!values.batch || !values.file) return usage("cards return needs --batch and --file");
    return finishReport(
      await deps.cards.importReturnFile(SYSTEM_ACTOR, values.batch, readFileSync(values.file, "utf8")),
      values.report,
    );
  },
  "cards import-legacy": async (deps, _db, args) => {
    const { values } = parseArgs({ args, options: { file: { type: "string" }, report: { type: "string" } } });
    if (!values.file) return usage("cards import-legacy needs --file");
    return finishReport(
      await deps.cards.importLegacy(SYSTEM_ACTOR, readFileSync(values.file, "utf8"), progress("rows")),
      values.report,
    );
  },
  "cards daily": async (deps, _db, args) => {
    const { values } = parseArgs({ args, options: { date: { type: "string" } } });
    const r = await deps.cards.runDaily(SYSTEM_ACTOR, values.date);
    console.log(
      `${r.date}: ${r.expired.length} expired, ${r.renewalWindowOpens.length} entering the renewal window, ${r.autoCancelled.length} cancelled after an unrevoked pre-loss`,
    );
    for (const c of r.renewalWindowOpens)
      console.log(`  renewal window opens: ${c.cardNumber} (valid until ${c.validUntil})`);
    for (const n of r.autoCancelled) console.log(`  cancelled: ${n}`);
    return 0;
  },
  "cards duplicates": async (deps, _db, args) => {
    const { values } = parseArgs({ args, options: { province: { type: "string" } } });
    const groups = await deps.cards.duplicates(SYSTEM_ACTOR, values.province);
    if (groups.length === 0) console.log("no person holds more than one card in a province");
    for (const g of groups) {
      console.log(`${g.holder.idNumberMasked} ${g.holder.nameMasked} (province ${g.province}):`);
      for (const c of g.cards)
        console.log(
          `  ${c.cardNumber}  ${c.state.padEnd(16)} financial ${c.financialFunction.padEnd(13)} → ${c.advice}`,
        );
    }
    return 0;
  },
  "terminals register": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: { terminal: { type: "string" }, area: { type: "string" }, name: { type: "string" } },
    });
    if (!values.terminal || !values.area || !values.name)
      return usage("terminals register needs --terminal --area --name");
    await deps.terminals.register(SYSTEM_ACTOR, {
      terminalNo: values.terminal,
      areaCode: values.area,
      name: values.name,
    });
    console.log(`registered terminal ${values.terminal}`);
    return 0;
  },
  "kiosk register": kioskRegisterCommand,
  "phone agi": phoneAgiCommand,
  "phone sip": phoneSipCommand,
  "psam issue": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: { terminal: { type: "string" }, out: { type: "string" } },
    });
    if (!values.terminal || !values.out) return usage("psam issue needs --terminal and --out");
    const image = await deps.terminals.issuePsam(SYSTEM_ACTOR, values.terminal);
    writeFileSync(values.out, `${JSON.stringify(image)}\n`, { mode: 0o600 });
    console.log(
      `PSAM ${image.serial} for terminal ${values.terminal} written to ${values.out} (it holds keys: load it into the PSAM and delete it)`,
    );
    return 0;
  },
  "ecard verify": async (deps, _db, args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        "issuer-keys": { type: "string" },
        "status-list": { type: "string" },
        type: { type: "string" },
      },
    });
    const code = positionals[0];
    if (!code)
      return usage("ecard verify needs the code (and optionally --issuer-keys, --status-list, --type)");
    // Offline, as a terminal: issuer keys and the status list from files, or this platform's own.
    const issuerKeys = values["issuer-keys"]
      ? (JSON.parse(readFileSync(values["issuer-keys"], "utf8")) as Record<string, string>)
      : deps.ecard.issuerKeys();
    const list = values["status-list"]
      ? (JSON.parse(readFileSync(values["status-list"], "utf8")) as {
          entries: { eid: string; sv: number; usable: boolean }[];
        })
      : await deps.ecard.statusList(SYSTEM_ACTOR, 0);
    const status = new Map(list.entries.map((e) => [e.eid, { sv: e.sv, usable: e.usable }]));
    const type = values.type === "payment" || values.type === "identity" ? values.type : undefined;
    const r = verifyCode(
      code,
      { issuerKeys, status, now: Math.floor(deps.clock.now().getTime() / 1000) },
      type,
    );
    if (!r.ok) {
      console.log(`refused: ${r.reason}`);
      return 1;
    }
    console.log(
      `valid ${r.type} code: ${r.credential.nm} ${r.credential.cn} (area ${r.credential.ar}, channel ${r.credential.ch}, status version ${r.credential.sv})`,
    );
    return 0;
  },
  "certificate verify": async (deps, _db, args) => {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { key: { type: "string" } },
    });
    const input = positionals[0];
    if (!input) return usage("certificate verify needs a PDF file or the QR text (and optionally --key)");
    const text = input.endsWith(".pdf") ? qrTextOfPdf(readFileSync(input)) : input;
    if (!text) {
      console.log("refused: MALFORMED (no certificate QR in this PDF)");
      return 1;
    }
    const area = /"a":"(\d{6})"/.exec(
      Buffer.from(text.split("#c=")[1]?.split(".")[0] ?? "", "base64url").toString(),
    );
    const r = await deps.certificates.check(text, values.key && area ? { [area[1]]: values.key } : undefined);
    if (!r.ok) {
      const why = "status" in r ? ` (${r.status}: ${r.statusReason ?? ""})` : "";
      console.log(`refused: ${r.reason}${why}`);
      return 1;
    }
    const c = r.claims;
    console.log(
      `valid ${c.k} ${c.s}: ${c.n} ${c.i}, area ${c.a}, issued ${c.d}${c.u ? `, valid until ${c.u}` : ""}`,
    );
    return 0;
  },
  "medical transfer": async (deps, _db, args) => {
    const { values } = parseArgs({ args, options: { month: { type: "string" } } });
    if (!values.month) return usage("medical transfer needs --month YYYY-MM");
    const report = await deps.medical.transferMonth(SYSTEM_ACTOR, values.month, (p) =>
      process.stderr.write(
        `\r${p.credited.toLocaleString("en-US")} accounts credited, ¥${(p.totalFen / 100).toFixed(2)}`,
      ),
    );
    process.stderr.write("\n");
    console.log(
      `month ${report.month}: ${report.credited} accounts credited, total ¥${(report.totalFen / 100).toFixed(2)} in ${report.batches} batches (a second run credits nothing again)`,
    );
    return 0;
  },
  "medical arrears": async (deps) => {
    const r = await deps.enrolment.arrearsRun(SYSTEM_ACTOR);
    console.log(
      `arrears up to ${r.lastDueMonth}: ${r.checked} enrolments checked, ${r.suspended} newly suspended, ${r.alreadySuspended} already suspended`,
    );
    return 0;
  },
  "medical catalogue": async (deps, _db, args) => {
    const { values } = parseArgs({
      args,
      options: {
        file: { type: "string" },
        name: { type: "string" },
        effective: { type: "string" },
        sample: { type: "boolean" },
      },
    });
    if (!values.file || !values.name || !values.effective)
      return usage("medical catalogue needs --file --name --effective YYYY-MM-DD [--sample]");
    try {
      const r = await deps.medical.importCatalogue(SYSTEM_ACTOR, {
        name: values.name,
        effectiveFrom: values.effective,
        csv: readFileSync(values.file, "utf8"),
        sample: values.sample === true,
      });
      console.log(
        `catalogue version ${r.version}: ${r.accepted} items, in force from ${r.effectiveFrom}${r.sample ? " (sample data)" : ""}`,
      );
      return 0;
    } catch (err) {
      if (!isDomainError(err, "CATALOGUE_INVALID")) throw err;
      const rows = (err.details?.rows ?? []) as { line: number; field: string; problem: string }[];
      console.log(`nothing imported: ${err.details?.count} problems`);
      for (const r of rows.slice(0, 20)) console.log(`  line ${r.line} ${r.field}: ${r.problem}`);
      return 1;
    }
  },
  "demo seed": async (deps, db) => {
    if (await isDemoSeeded(deps)) {
      console.log("demo data is already loaded (see data/demo-credentials.txt if it was written there)");
      return 0;
    }
    const seeded = await seedDemo(deps);
    console.log(formatDemoCredentials(seeded));
    console.log(
      `demo chips in ${saveDemoChips(seeded.chips, db.dialect === "sqlite" ? dirname(db.location) : "data")}`,
    );
    return 0;
  },
};

function usage(message: string): number {
  console.error(message);
  return 2;
}

/** Progress on stderr, at most every half second, and a last line when done. */
function progress(unit: string) {
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 500) return;
    last = now;
    process.stderr.write(
      `\r${done.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} ${unit} (${Math.floor((done / Math.max(total, 1)) * 100)}%)${done === total ? "\n" : ""}`,
    );
  };
}

function finishReport(
  report: { accepted: number; rejected: number; rows: RowReport[] },
  reportFile?: string,
): number {
  const result = worded(report, lang);
  console.log(`${result.accepted} accepted, ${result.rejected} rejected`);
  for (const r of result.rows.filter((x) => x.status === "rejected").slice(0, 20))
    console.log(`  line ${r.line}: ${r.reason}`);
  if (result.rejected > 20) console.log(`  … and ${result.rejected - 20} more`);
  if (reportFile) {
    writeFileSync(reportFile, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`full report written to ${reportFile}`);
  }
  return 0;
}
