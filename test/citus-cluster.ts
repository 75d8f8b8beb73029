import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/**
 * A real three-node Citus cluster on loopback for the national hub's tests: a coordinator and two
 * workers, each a PostgreSQL 15 server of the machine with `citus` preloaded (built from
 * ../shared/vendor/citus by scripts/build-citus.sh). Returns undefined when Citus is not installed;
 * with SSCARD_REQUIRE_CITUS=1 (CI) that is a failure, not a skip.
 */
const BIN = "/usr/lib/postgresql/15/bin";

export function citusAvailable(): boolean {
  return existsSync(join(BIN, "initdb")) && existsSync("/usr/lib/postgresql/15/lib/citus.so");
}

export function citusMissing(): string | undefined {
  if (citusAvailable()) return undefined;
  const why = "Citus is not installed (scripts/build-citus.sh builds it from ../shared/vendor/citus)";
  if (process.env.SSCARD_REQUIRE_CITUS === "1") throw new Error(`${why}; SSCARD_REQUIRE_CITUS=1`);
  return why;
}

/** Runs a PostgreSQL program as the postgres user (initdb and the server refuse to run as root). */
function asPostgres(program: string, args: string[]) {
  const root = process.getuid?.() === 0;
  const r = root
    ? spawnSync("runuser", ["-u", "postgres", "--", join(BIN, program), ...args], { encoding: "utf8" })
    : spawnSync(join(BIN, program), args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${program} ${args.join(" ")}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export type CitusNode = { port: number; dir: string; url: string };

export type CitusCluster = {
  coordinator: CitusNode;
  workers: CitusNode[];
  /** kill -9 of a node's postmaster (its children die with it), then its restart. */
  crash: (node: CitusNode) => void;
  start: (node: CitusNode) => void;
  /** One more worker node, added to the cluster with the distributed tables' shards rebalanced onto it. */
  addWorker: () => Promise<CitusNode>;
  stop: () => void;
};

function initNode(root: string, name: string, port: number): CitusNode {
  const dir = join(root, name);
  asPostgres("initdb", ["-D", dir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]);
  writeFileSync(
    join(dir, "postgresql.auto.conf"),
    [
      "shared_preload_libraries = 'citus'",
      "listen_addresses = '127.0.0.1'",
      `port = ${port}`,
      `unix_socket_directories = '${dir}'`,
      "max_prepared_transactions = 200",
      "max_connections = 300",
      "fsync = off",
      "synchronous_commit = off",
      "full_page_writes = off",
      "shared_buffers = 64MB",
      "citus.enable_statistics_collection = off",
      "log_min_messages = fatal",
      "",
    ].join("\n"),
  );
  return { port, dir, url: `postgres://postgres@127.0.0.1:${port}/postgres` };
}

function startNode(node: CitusNode) {
  asPostgres("pg_ctl", ["-D", node.dir, "-l", join(node.dir, "server.log"), "-w", "-t", "60", "start"]);
}

async function sqlOn(node: CitusNode, text: string) {
  const client = new pg.Client({ connectionString: node.url });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

/** Starts the cluster in a temporary folder: three servers, the extension on each, the workers added. */
export async function startCitusCluster(): Promise<CitusCluster> {
  const root = mkdtempSync(join(tmpdir(), "sscard-citus-"));
  chmodSync(root, 0o777);
  if (process.getuid?.() === 0) execFileSync("chown", ["postgres", root]);
  const base = 21000 + Math.floor(Math.random() * 20000);
  const coordinator = initNode(root, "coordinator", base);
  const workers = [initNode(root, "worker1", base + 1), initNode(root, "worker2", base + 2)];
  const nodes = [coordinator, ...workers];
  try {
    for (const n of nodes) startNode(n);
    for (const n of nodes) await sqlOn(n, "create extension citus");
    await sqlOn(coordinator, `select citus_set_coordinator_host('127.0.0.1', ${coordinator.port})`);
    for (const w of workers) await sqlOn(coordinator, `select citus_add_node('127.0.0.1', ${w.port})`);
  } catch (err) {
    for (const n of nodes)
      spawnSync("runuser", [
        "-u",
        "postgres",
        "--",
        join(BIN, "pg_ctl"),
        "-D",
        n.dir,
        "-m",
        "immediate",
        "stop",
      ]);
    rmSync(root, { recursive: true, force: true });
    throw err;
  }
  const pidOf = (node: CitusNode) => {
    const pidFile = join(node.dir, "postmaster.pid");
    return existsSync(pidFile)
      ? Number(execFileSync("head", ["-1", pidFile], { encoding: "utf8" }).trim())
      : 0;
  };
  return {
    coordinator,
    workers,
    crash(node) {
      const pid = pidOf(node);
      if (!pid) return;
      // The whole server dies at once, as on a machine's crash: the postmaster and every backend.
      const children = spawnSync("ps", ["--ppid", String(pid), "-o", "pid="], { encoding: "utf8" })
        .stdout.split("\n")
        .map((p) => Number(p.trim()))
        .filter(Boolean);
      for (const p of [pid, ...children])
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // already gone
        }
      for (let i = 0; i < 100 && [pid, ...children].some(alive); i++) execFileSync("sleep", ["0.05"]);
    },
    start: startNode,
    async addWorker() {
      const node = initNode(root, `worker${workers.length + 1}`, base + workers.length + 1);
      startNode(node);
      await sqlOn(node, "create extension citus");
      await sqlOn(coordinator, `select citus_add_node('127.0.0.1', ${node.port})`);
      await sqlOn(coordinator, "select rebalance_table_shards(shard_transfer_mode => 'block_writes')");
      workers.push(node);
      nodes.push(node);
      return node;
    },
    stop() {
      for (const n of nodes)
        try {
          asPostgres("pg_ctl", ["-D", n.dir, "-m", "immediate", "-w", "stop"]);
        } catch {
          // already stopped
        }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
