import cluster from "node:cluster";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Kysely } from "kysely";
import { buildHubApp, createHubDeps } from "./app.hub.ts";
import { buildApp } from "./app.ts";
import { type Config, loadConfig } from "./config.ts";
import { createDb } from "./db/database.ts";
import { migrateToLatest } from "./db/migrate.ts";
import { ensureDemoLmk, saveDemoChips } from "./demo/demo.keys.ts";
import { formatDemoCredentials, isDemoSeeded, seedDemo } from "./demo/demo.seed.ts";
import { clockOf, startDeps } from "./deps.start.ts";
import type { Deps } from "./deps.ts";
import { loggerOptions } from "./http/logging.ts";
import { ensureWebBuild } from "./http/web.ts";
import { announce } from "./main.primary.ts";
import { onPrimaryMessage } from "./modules/health/workers.ts";
import { startScheduler } from "./modules/jobs/scheduler.ts";
import { migrateHub } from "./modules/national/hub.migrations.ts";
import type { HubDatabase } from "./modules/national/hub.tables.ts";
import { SYSTEM_ACTOR } from "./shared/auth.ts";

/** Migrations, key-file notice and demo data: done once, by the only process or the cluster's primary. */
async function prepare(config: Config) {
  const database = createDb(config.databaseUrl);
  const applied = await migrateToLatest(database.db, database.dialect);
  // The demo runs the key ceremonies itself, starting with the LMK (software machine only).
  const lmkMade = process.argv.includes("--demo") ? ensureDemoLmk(config.hsm) : undefined;
  if (lmkMade) console.log(lmkMade);
  const deps = await startDeps(database, config, clockOf(config), console.log);
  const web = await ensureWebBuild();
  if (web === "built") console.log("web front ends built (web/dist)");
  if (web === "unavailable") console.log("web front ends not built: Vite is not installed (npm install)");
  console.log(
    `database ready: ${database.dialect} ${database.location}${applied.length ? ` (applied ${applied.join(", ")})` : ""}`,
  );
  // The audit log's append-only triggers: any dropped or switched off are put back (and recorded);
  // when that fails the platform does not start.
  const restored = await deps.audit.guardAppendOnly();
  if (restored.length)
    console.error(`audit log: append-only triggers were missing and are restored: ${restored.join(", ")}`);
  const [how, ...where] = config.secretsSource.split(" ");
  if (how === "generated" || how === "updated") {
    console.log(`${how} keys in ${where.join(" ")}: keep the file secret and backed up`);
  }
  if (process.argv.includes("--demo") && !(await isDemoSeeded(deps))) {
    const seeded = await seedDemo(deps);
    const text = formatDemoCredentials(seeded);
    console.log(text);
    const dir = database.dialect === "sqlite" ? dirname(database.location) : "data";
    console.log(`demo chips written to ${saveDemoChips(seeded.chips, dir)}`);
    if (database.dialect === "sqlite") {
      const file = join(dir, "demo-credentials.txt");
      writeFileSync(file, `${text}\n`, { mode: 0o600 });
      console.log(`(also written to ${file})`);
    }
  } else if ((await deps.staff.list(SYSTEM_ACTOR)).length === 0) {
    console.log(
      "The database has no staff yet. Load demo data with `npm run sscard -- demo seed` (or `npm start -- --demo`),",
    );
    console.log("or create the first administrator with `npm run sscard -- admin create --username <name>`.");
  }
  return deps;
}

/** Serves HTTP on the given dependencies until SIGTERM or SIGINT, then finishes in-flight requests and closes. */
async function serve(config: Config, deps: Deps, onListening: (port: number) => void) {
  const app = await buildApp(deps, { logger: loggerOptions(config.logLevel), bodyLimit: config.bodyLimit });
  // The periodic jobs: every serving process schedules them; each period runs once (jobs.service).
  const scheduler = startScheduler(deps.jobs.run, process.env, (job, err) =>
    app.log.error({ job, err: { message: err instanceof Error ? err.message : String(err) } }, "job failed"),
  );
  app.log.info({ jobs: scheduler.jobs }, "scheduled jobs");
  // A federated province sends its card changes to the national hub (at least once, in order of time).
  const stopDelivery = deps.national.startDelivery(1000, (err) =>
    app.log.warn(
      { err: { message: err instanceof Error ? err.message : String(err) } },
      "outbox delivery failed",
    ),
  );
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  onListening(typeof address === "object" && address ? address.port : config.port);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, "shutting down: finishing in-flight requests");
    setTimeout(() => process.exit(1), 15_000).unref();
    scheduler.stop();
    stopDelivery();
    await app.close();
    // The chain's head is sealed with a signed checkpoint before the database closes.
    await deps.audit
      .checkpoint("shutdown")
      .catch((err) => app.log.error({ err }, "shutdown checkpoint failed"));
    await deps.database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("SIGINT", () => void stop("SIGINT"));
}

/** The national hub (SSCARD_ROLE=hub): its own database and schema, the provinces' signed API. */
async function serveHub(config: Config) {
  const database = createDb(config.databaseUrl);
  const made = await migrateHub(database.db as unknown as Kysely<HubDatabase>, database.dialect);
  console.log(`hub database ${made}: ${database.dialect} ${database.location}`);
  const app = await buildHubApp(createHubDeps(database, clockOf(config), config.national), {
    logger: loggerOptions(config.logLevel),
  });
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  console.log(`sscard national hub is listening on http://${config.host}:${port}  (API docs: /docs)`);
  const stop = async () => {
    await app.close();
    await database.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => void stop());
  process.on("SIGINT", () => void stop());
}

/**
 * Starts the platform (src/main.ts loads this file in every process but a cluster's primary): one
 * process that prepares and serves; a cluster's worker, which serves; or, with SSCARD_PREPARE_ONLY=1,
 * the child in which a cluster's primary prepares the database (main.primary.ts).
 */
async function main() {
  const config = loadConfig();
  if (config.national.role === "hub") return serveHub(config);
  if (cluster.isWorker) {
    const deps = await startDeps(createDb(config.databaseUrl), config, clockOf(config));
    process.on("message", onPrimaryMessage);
    await serve(config, deps, (port) => process.send?.({ listening: port }));
    return;
  }
  const deps = await prepare(config);
  if (process.env.SSCARD_PREPARE_ONLY === "1") {
    await deps.database.close();
    process.exit(0);
  }
  await serve(config, deps, (port) => announce(config, port, 1));
}

main().catch((err) => {
  console.error(`sscard failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
