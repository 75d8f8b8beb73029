import { existsSync } from "node:fs";
import { resolve as resolvePath } from "node:path";
import { loadConfig } from "../config.ts";
import { createDb } from "../db/database.ts";
import { migrateToLatest } from "../db/migrate.ts";
import { ensureDemoLmk } from "../demo/demo.keys.ts";
import { clockOf, startDeps } from "../deps.start.ts";
import { createDeps } from "../deps.ts";
import { openLmk } from "../modules/keys/open-lmk.ts";
import { DomainError } from "../shared/errors.ts";
import { exitCodeFor } from "../shared/http-errors.ts";
import { messageFor } from "../shared/messages.ts";
import { commands, HELP, lang } from "./commands.ts";
import { keysCommand } from "./keys.ts";
import { kioskAgentCommand } from "./kiosk.ts";
import { phonePromptsCommand } from "./phone.ts";

/** Commands that may create the embedded database file. */
const CREATES_DATABASE = new Set(["db migrate", "db status", "admin create", "demo seed"]);

/** The file of a `sqlite:` database URL (not `:memory:`), else undefined. */
function sqliteFile(url: string): string | undefined {
  if (!url.startsWith("sqlite:")) return undefined;
  const path = url.slice("sqlite:".length);
  return path === ":memory:" ? undefined : resolvePath(path);
}

async function main(argv: string[]): Promise<number> {
  const key = argv.slice(0, 2).join(" ");
  if (argv[0] === "keys" && argv[1]) {
    const config = loadConfig();
    const db = createDb(config.databaseUrl);
    try {
      await migrateToLatest(db.db, db.dialect);
      return await keysCommand(argv[1], db, config.hsm, argv.slice(2), clockOf(config));
    } catch (err) {
      console.error(err instanceof Error ? err.message : String(err));
      return 1;
    } finally {
      await db.close();
    }
  }
  // The kiosk's device agent runs on the kiosk, with no database.
  if (key === "kiosk agent") return kioskAgentCommand(argv.slice(2));
  // The prompts are spoken from their texts alone.
  if (key === "phone prompts") return phonePromptsCommand(argv.slice(2));
  const command = commands[key];
  if (!command) {
    console.log(HELP);
    return argv.length === 0 || argv[0] === "help" || argv[0] === "--help" ? 0 : 2;
  }
  const config = loadConfig();
  // Only these may start an embedded database that is not there yet; any other command on a missing
  // file would check or report on an empty database it had just created.
  const file = sqliteFile(config.databaseUrl);
  if (file && !CREATES_DATABASE.has(key) && !existsSync(file)) {
    console.error(
      `no database at ${file} (DATABASE_URL): nothing to ${key}; create one with \`npm run sscard -- db migrate\``,
    );
    return 1;
  }
  const db = createDb(config.databaseUrl);
  // The demo runs the key ceremonies itself, starting with the LMK (software machine only).
  const lmkMade = key === "demo seed" ? ensureDemoLmk(config.hsm) : undefined;
  if (lmkMade) console.log(lmkMade);
  try {
    const migrated = key !== "db migrate" && key !== "db status";
    if (migrated) await migrateToLatest(db.db, db.dialect);
    const deps = migrated
      ? await startDeps(db, config, clockOf(config), (line) => console.error(line))
      : createDeps(db, config, clockOf(config), { lmk: openLmk(config.hsm) });
    return await command(deps, db, argv.slice(2));
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
