import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The source tree this map is drawn from: src/. */
const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Every TypeScript source file under src/ (tests included), as paths relative to src/. */
export function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith(".ts") ? [relative(SRC, path)] : [];
  });
}

/** The files a source file imports (relative imports only), as paths relative to src/. */
export function importsOf(file: string): string[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const out = new Set<string>();
  for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.{1,2}\/[^"]+)"/gms))
    out.add(relative(SRC, resolve(SRC, dirname(file), m[1])));
  return [...out];
}

/**
 * The composition: the files that know the whole graph and are imported by none of the modules but
 * db/schema.ts, whose `Database` type every repository needs (it assembles the modules' own tables, as
 * deps.ts assembles their services). An import of it is not a dependency on the other modules.
 */
export const COMPOSITION = ["deps", "permissions", "app", "main", "schema", "docs", "cli", "demo"] as const;

/** Tests and what only tests use (a module's sample requests for the permission walk). */
export function isTestFile(file: string): boolean {
  return file.endsWith(".test.ts") || file.endsWith(".permission-samples.ts");
}

/** The module a file belongs to: `modules/<name>` for a module's files, else its top folder or file. */
export function moduleOf(file: string): string {
  if (file === "db/schema.ts") return "schema";
  const parts = file.split("/");
  // A top-level file and its parts (deps.ts, deps.start.ts, deps.places.ts) are one module.
  return parts[0] === "modules"
    ? parts[1]
    : parts.length > 1
      ? parts[0]
      : parts[0].replace(/\.ts$/, "").split(".")[0];
}

/** The cycles of a directed graph (each as the nodes on it, the first repeated at the end). */
export function cyclesOf(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "open");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return cycles;
}

/** The import graphs: file → files, and module → modules (tests left out: they may reach anywhere). */
export function importGraphs() {
  const files = sourceFiles().filter((f) => !isTestFile(f));
  const fileGraph = new Map(files.map((f) => [f, importsOf(f).filter((g) => files.includes(g))]));
  const moduleGraph = new Map<string, string[]>();
  for (const [f, deps] of fileGraph) {
    const from = moduleOf(f);
    const to = new Set(moduleGraph.get(from) ?? []);
    for (const d of deps) if (moduleOf(d) !== from && moduleOf(d) !== "schema") to.add(moduleOf(d));
    moduleGraph.set(from, [...to].sort());
  }
  return { fileGraph, moduleGraph };
}

/** What a module file is, by its name (the house's naming: docs/architecture.md). */
function roleOf(file: string): string {
  const name = file.split("/").at(-1)!;
  if (name.endsWith(".service.ts")) return "service";
  for (const kind of ["rules", "repository", "routes", "tables", "permissions", "context"])
    if (name.endsWith(`.${kind}.ts`)) return kind;
  return "use case / part";
}

/** docs/architecture.md's module list, drawn from the tree: each module, its files by role, what it imports. */
export function renderModuleMap(): string {
  const { moduleGraph } = importGraphs();
  const lines = ["| module | files | imports |", "|---|---|---|"];
  const modules = readdirSync(join(SRC, "modules")).filter((m) =>
    statSync(join(SRC, "modules", m)).isDirectory(),
  );
  for (const m of modules.sort()) {
    const files = sourceFiles(join(SRC, "modules", m)).filter((f) => !isTestFile(f));
    const byRole = new Map<string, string[]>();
    for (const f of files.sort()) {
      const role = roleOf(f);
      byRole.set(role, [...(byRole.get(role) ?? []), `\`${f.split("/").at(-1)!.replace(/\.ts$/, "")}\``]);
    }
    const described = [...byRole].map(([role, names]) => `${role}: ${names.join(", ")}`).join("; ");
    const imports = (moduleGraph.get(m) ?? []).filter((d) => d !== "shared" && d !== "db" && d !== "http");
    lines.push(`| \`${m}\` | ${described} | ${imports.join(", ") || "—"} |`);
  }
  return lines.join("\n");
}

const START = "<!-- modules:start -->";
const END = "<!-- modules:end -->";

/** docs/architecture.md with the module list between its markers drawn from the code. */
export function withModuleMap(markdown: string): string {
  const i = markdown.indexOf(START);
  const j = markdown.indexOf(END);
  if (i < 0 || j < i) throw new Error("docs/architecture.md has no module markers");
  return `${markdown.slice(0, i + START.length)}\n${renderModuleMap()}\n${markdown.slice(j)}`;
}

/** Source files longer than `limit` lines (tests, migrations and generated data left out). */
export function longFiles(limit: number): { file: string; lines: number }[] {
  return sourceFiles()
    .filter((f) => !isTestFile(f) && !f.startsWith("db/migrations/"))
    .map((f) => ({ file: f, lines: readFileSync(join(SRC, f), "utf8").split("\n").length }))
    .filter((f) => f.lines > limit)
    .sort((a, b) => b.lines - a.lines);
}
