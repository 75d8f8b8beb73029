import { fork as forkProcess } from "node:child_process";
import cluster from "node:cluster";
import { availableParallelism } from "node:os";
import { type Config, loadConfig } from "./config.ts";
import { restartDelayMs, type WorkersMessage } from "./modules/health/workers.ts";

/** Announces the address once every process serves (one process: at once). */
export const announce = (config: Config, port: number, workers: number) =>
  console.log(
    `sscard is listening on http://${config.host}:${port}  (API docs: http://${config.host}:${port}/docs)${workers > 1 ? `, ${workers} workers` : ""}`,
  );

/**
 * A cluster's primary, kept light: it never loads the application. The database is prepared
 * (migrations, key notices, demo data) in a child process that exits when done; then the primary forks
 * the workers and replaces any that dies. Measured on the 2-core VM: the primary's RSS fell from about
 * 170 MB to about 60 MB (docs/performance.md).
 */
export async function runPrimary(config: Config, workers: number) {
  const prepared = await new Promise<number | null>((resolve) => {
    const child = forkProcess(process.argv[1], process.argv.slice(2), {
      env: { ...process.env, SSCARD_PREPARE_ONLY: "1" },
      execArgv: process.execArgv,
      stdio: "inherit",
    });
    child.on("exit", (code) => resolve(code));
  });
  if (prepared !== 0) {
    console.error("sscard failed to start: the database could not be prepared (see above)");
    process.exit(1);
  }
  let stopping = false;
  let announced = false;
  const serving = new Set<number>();
  const deaths: number[] = [];
  const tell = () => {
    const message: WorkersMessage = { workers: { serving: serving.size, configured: workers } };
    for (const w of Object.values(cluster.workers ?? {})) if (w?.isConnected()) w.send(message);
  };
  const fork = () => {
    const worker = cluster.fork();
    worker.on("message", (m: { listening?: number }) => {
      if (m.listening === undefined) return;
      serving.add(worker.id);
      tell();
      if (!announced && serving.size === workers) {
        announced = true;
        announce(config, m.listening, workers);
      }
    });
  };
  for (let i = 0; i < workers; i++) fork();
  // A worker that dies is replaced, after a back-off when deaths come one after another.
  cluster.on("exit", (worker, code, signal) => {
    serving.delete(worker.id);
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
      return;
    }
    const now = performance.now();
    while (deaths.length && now - deaths[0] > 60_000) deaths.shift();
    deaths.push(now);
    const delay = restartDelayMs(deaths.length);
    console.error(
      `worker ${worker.process.pid} exited with ${signal ?? code}; ${serving.size} of ${workers} serve, a new one starts in ${delay / 1000} s`,
    );
    tell();
    setTimeout(() => {
      if (!stopping) fork();
    }, delay);
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

/** The entry for a cluster's primary (src/main.ts); one process or the hub go the whole way in main.serve.ts. */
export async function main() {
  const config = loadConfig();
  const workers = config.workers === 0 ? availableParallelism() : config.workers;
  if (workers === 1 || config.national.role === "hub") return false;
  await runPrimary(config, workers);
  return true;
}
