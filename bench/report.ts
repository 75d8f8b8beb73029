import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";

/** What a figure must reach: a floor, a ceiling, a p99 ceiling, a floor on its ratio to the reference. */
export type Target = Readonly<{ min?: number; max?: number; p99MaxMs?: number; ratioMin?: number }>;

/** One measured figure of a bench run, as printed and as written to the JSON results. */
export type Figure = {
  /** Stable name, for comparing runs: `online_check.workers2`. */
  key: string;
  label: string;
  value: number;
  unit: string;
  p99Ms?: number;
  /** Answers other than 2xx, and connection errors. */
  failed?: number;
  target?: Target;
  /** The same run's reference figure (a bare route, a card-status read, raw commits) and its value. */
  reference?: { key: string; value: number };
  /** The server's CPU per request (all its processes), and PostgreSQL's. */
  cpuUsPerRequest?: number;
  postgresCpuUsPerRequest?: number;
  /** The server's resident memory: when it was idle before the load, and the most under it (all processes). */
  rssMb?: { idle: number; peak: number };
};

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? Math.round(n).toLocaleString("en-US") : Number(n.toPrecision(3)).toString();

/** Whether a figure meets its target: each part given must hold. */
export function meets(f: Figure): boolean | undefined {
  const t = f.target;
  if (!t) return undefined;
  const ratio = f.reference ? f.value / f.reference.value : undefined;
  return (
    (t.min === undefined || f.value >= t.min) &&
    (t.max === undefined || f.value <= t.max) &&
    (t.p99MaxMs === undefined || (f.p99Ms !== undefined && f.p99Ms <= t.p99MaxMs)) &&
    (t.ratioMin === undefined || (ratio !== undefined && ratio >= t.ratioMin))
  );
}

function targetText(f: Figure): string {
  const t = f.target;
  if (!t) return "";
  const parts = [
    t.min !== undefined ? `≥ ${fmt(t.min)} ${f.unit}` : "",
    t.max !== undefined ? `≤ ${fmt(t.max)} ${f.unit}` : "",
    t.p99MaxMs !== undefined ? `p99 < ${t.p99MaxMs} ms` : "",
    t.ratioMin !== undefined ? `≥ ${t.ratioMin}× ${f.reference?.key ?? "reference"}` : "",
  ].filter(Boolean);
  return `target ${parts.join(", ")}: ${meets(f) ? "met" : "NOT met"}`;
}

/** A figure as one line: value, p99, failures, ratio to its reference, CPU, memory, target. */
export function line(f: Figure): string {
  const notes = [
    f.p99Ms !== undefined ? `p99 ${f.p99Ms} ms` : "",
    f.failed ? `${f.failed} failed` : "",
    f.reference ? `${(f.value / f.reference.value).toFixed(2)}× ${f.reference.key}` : "",
    f.cpuUsPerRequest !== undefined ? `server CPU ${fmt(f.cpuUsPerRequest)} µs/req` : "",
    f.postgresCpuUsPerRequest !== undefined ? `PostgreSQL CPU ${fmt(f.postgresCpuUsPerRequest)} µs/req` : "",
    f.rssMb ? `RSS ${fmt(f.rssMb.idle)} MB idle, ${fmt(f.rssMb.peak)} MB peak` : "",
    targetText(f),
  ].filter(Boolean);
  return `${`${f.label}:`.padEnd(51)} ${fmt(f.value)} ${f.unit}${notes.length ? ` (${notes.join("; ")})` : ""}`;
}

/**
 * The figures of one run: each printed as it is measured, all written as JSON at the end
 * (`BENCH_RESULTS`, default bench-results.json), and compared with an earlier run's file
 * (`BENCH_COMPARE`) figure by figure.
 */
export function createReport() {
  const figures: Figure[] = [];
  return {
    figures,
    add(f: Figure) {
      figures.push(f);
      console.log(line(f));
      return f;
    },
    get: (key: string) => figures.find((f) => f.key === key),
    write(file: string) {
      const doc = {
        at: new Date().toISOString(),
        node: process.version,
        cores: cpus().length,
        cpu: cpus()[0]?.model,
        figures: figures.map((f) => ({ ...f, met: meets(f) })),
      };
      writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
      const missed = figures.filter((f) => meets(f) === false);
      console.log(`\nwrote ${file}: ${figures.length} figures, ${missed.length} targets not met`);
      for (const f of missed) console.log(`  not met: ${f.key}`);
    },
    compare(file: string) {
      if (!existsSync(file)) return;
      const before = JSON.parse(readFileSync(file, "utf8")) as { at: string; figures: Figure[] };
      console.log(`\ncompared with ${file} (${before.at}):`);
      for (const f of figures) {
        const old = before.figures.find((o) => o.key === f.key);
        if (!old) continue;
        const change = ((f.value - old.value) / old.value) * 100;
        console.log(
          `  ${f.key.padEnd(40)}${fmt(old.value)} → ${fmt(f.value)} ${f.unit} (${change >= 0 ? "+" : ""}${change.toFixed(0)}%)`,
        );
      }
    },
  };
}

export type Report = ReturnType<typeof createReport>;

/** The resident memory of a process and its children (a server's workers), in MB; 0 where /proc has none. */
export function rssMb(pid: number): number {
  let kb = 0;
  try {
    for (const p of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
      try {
        const status = readFileSync(`/proc/${p}/status`, "utf8");
        const ppid = /^PPid:\s+(\d+)/m.exec(status)?.[1];
        if (p !== String(pid) && ppid !== String(pid)) continue;
        kb += Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
      } catch {}
    }
  } catch {}
  return kb / 1024;
}

/** Samples a server's RSS every 200 ms while `during` runs; the peak, in MB. */
export async function peakRss<T>(
  pid: number,
  during: () => Promise<T>,
): Promise<{ result: T; peak: number }> {
  let peak = rssMb(pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 200);
  try {
    const result = await during();
    return { result, peak: Math.max(peak, rssMb(pid)) };
  } finally {
    clearInterval(timer);
  }
}
