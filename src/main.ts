import { enableCompileCache } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

/*
 * The server's entry point (npm start; each worker runs it again). Node's compile cache keeps every
 * source file as stripped of its types and compiled at its first start: a later start skips both. The
 * workers get it from their first line (NODE_COMPILE_CACHE), so they never load the type stripper.
 * Measured on the 2-core VM: cold start 1.31 → 1.05 s, idle RSS 177 → 172 MB for this process and
 * 158 MB for a worker (docs/performance.md). A changed source file is compiled afresh (keyed by content).
 */
process.env.NODE_COMPILE_CACHE ||= join(tmpdir(), "sscard-compile-cache");
enableCompileCache(process.env.NODE_COMPILE_CACHE);
// A cluster's primary stays light (main.primary.ts): it prepares in a child and only forks workers.
const cluster = (await import("node:cluster")).default;
const primary =
  cluster.isPrimary &&
  process.env.SSCARD_PREPARE_ONLY !== "1" &&
  (await (await import("./main.primary.ts")).main());
if (!primary) await import("./main.serve.ts");
