import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { buildApp, loggerOptions } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createDb } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { createDeps } from "./deps.ts";
import { formatDemoCredentials, isDemoSeeded, seedDemo } from "./modules/demo/demo.seed.ts";
import { SYSTEM_ACTOR } from "./shared/auth.ts";

/** Starts the platform: configuration, database and migrations, optional demo data, HTTP, graceful stop. */
async function main() {
  const config = loadConfig();
  const database = createDb(config.databaseUrl);
  const applied = await migrateToLatest(database.db, database.dialect);
  const deps = createDeps(database, config);
  const app = await buildApp(deps, { logger: loggerOptions(config.logLevel), bodyLimit: config.bodyLimit });
  app.log.info(
    { database: database.location, dialect: database.dialect, migrationsApplied: applied },
    "database ready",
  );
  if (config.secretsSource.startsWith("generated")) {
    app.log.warn(
      { secrets: config.secretsSource },
      "generated new keys for personal data and tokens; keep the file secret and backed up",
    );
  }

  if (process.argv.includes("--demo") && !(await isDemoSeeded(deps))) {
    const result = await seedDemo(deps);
    const text = formatDemoCredentials(result);
    console.log(text);
    if (database.dialect === "sqlite") {
      const file = join(dirname(database.location), "demo-credentials.txt");
      writeFileSync(file, `${text}\n`, { mode: 0o600 });
      console.log(`(also written to ${file})`);
    }
  } else if ((await deps.staff.list(SYSTEM_ACTOR)).length === 0) {
    console.log(
      "The database has no staff yet. Load demo data with `npm run sscard -- demo seed` (or `npm start -- --demo`),",
    );
    console.log("or create the first administrator with `npm run sscard -- admin create --username <name>`.");
  }

  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(
    `sscard is listening on http://${config.host}:${port}  (API docs: http://${config.host}:${port}/docs)`,
  );

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

main().catch((err) => {
  console.error(`sscard failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
