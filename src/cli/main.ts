import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { loadConfig } from "../config.ts";
import { createDb, type Db } from "../db/database.ts";
import { migrateToLatest, pendingMigrations } from "../db/migrate.ts";
import { createDeps, type Deps } from "../deps.ts";
import { formatDemoCredentials, isDemoSeeded, seedDemo } from "../modules/demo/demo.seed.ts";
import { DomainError } from "../shared/errors.ts";
import { exitCodeFor } from "../shared/http-errors.ts";
import { languageOf, messageFor } from "../shared/messages.ts";

const HELP = `sscard: the social security card platform's command line

Usage: npm run sscard -- <command> [options]

  db migrate                      apply pending database migrations
  db status                       list pending migrations
  admin create --username <name> [--display-name <text>] [--password <pw>]
                                  create a ministry administrator (a password is generated when not given)
  audit verify [--anchor <seq>:<hash>]
                                  check the whole audit hash chain; exit 1 at the first bad record
  demo seed                       load the demo province, cities, outlets, staff and persons
  help                            this text

Configuration comes from the same environment variables as the server (DATABASE_URL, SSCARD_*).`;

type Command = (deps: Deps, db: Db, args: string[]) => Promise<number>;

const lang = languageOf(process.env.LANG?.startsWith("zh") ? "zh" : "en");

const commands: Record<string, Command> = {
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
      return 0;
    }
    console.error(messageFor("AUDIT_CHAIN_BROKEN", lang, { seq: result.seq, reason: result.problem }));
    console.error(`(${result.checked} records verified before it, ${ms} ms)`);
    return 1;
  },
  "demo seed": async (deps) => {
    if (await isDemoSeeded(deps)) {
      console.log("demo data is already loaded (see data/demo-credentials.txt if it was written there)");
      return 0;
    }
    console.log(formatDemoCredentials(await seedDemo(deps)));
    return 0;
  },
};

async function main(argv: string[]): Promise<number> {
  const key = argv.slice(0, 2).join(" ");
  const command = commands[key];
  if (!command) {
    console.log(HELP);
    return argv.length === 0 || argv[0] === "help" || argv[0] === "--help" ? 0 : 2;
  }
  const config = loadConfig();
  const db = createDb(config.databaseUrl);
  try {
    if (key !== "db migrate" && key !== "db status") await migrateToLatest(db.db, db.dialect);
    return await command(createDeps(db, config), db, argv.slice(2));
  } catch (err) {
    if (err instanceof DomainError) {
      console.error(`${err.code}: ${messageFor(err.code, lang, err.details)}`);
      return exitCodeFor(err.code);
    }
    console.error(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await db.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
