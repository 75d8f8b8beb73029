import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { COMPOSITION, cyclesOf, importGraphs, longFiles, moduleOf, sourceFiles } from "./module-map.ts";

const SRC = new URL("../", import.meta.url).pathname;

describe("the house's shape", () => {
  const { fileGraph, moduleGraph } = importGraphs();

  it("has no import cycle between files", () => {
    assert.deepEqual(cyclesOf(fileGraph), []);
  });

  it("has no import cycle between modules", () => {
    assert.deepEqual(cyclesOf(moduleGraph), []);
  });

  it("keeps the whole graph in the composition: no module, and nothing shared, imports it", () => {
    const composition = new Set<string>(COMPOSITION.filter((c) => c !== "schema"));
    for (const [module, imports] of moduleGraph) {
      if (composition.has(module)) continue;
      const wrong = imports.filter((m) => composition.has(m));
      assert.deepEqual(wrong, [], `${module} imports the composition`);
    }
    for (const base of ["shared", "http", "db"])
      assert.deepEqual(
        (moduleGraph.get(base) ?? []).filter((m) => m !== "shared" && m !== "db"),
        [],
        `${base}/ imports no module`,
      );
  });

  it("gives every table one repository: no repository reads or writes another module's table", () => {
    const owner = new Map<string, string>();
    for (const file of sourceFiles().filter((f) => f.endsWith(".repository.ts"))) {
      const text = readFileSync(join(SRC, file), "utf8");
      const tables = new Set(
        [
          ...text.matchAll(
            /(?:selectFrom|insertInto|updateTable|deleteFrom|innerJoin|leftJoin|prepared\w*)\(\s*"(\w+)"/g,
          ),
        ].map((m) => m[1]),
      );
      for (const table of tables) {
        const other = owner.get(table);
        assert.ok(!other || other === moduleOf(file), `${table}: ${other} and ${moduleOf(file)}`);
        owner.set(table, moduleOf(file));
      }
    }
    assert.ok(owner.size >= 50, `found ${owner.size} tables`);
  });

  it("keeps source files short: one concept each (tests, migrations and generated data aside)", () => {
    assert.deepEqual(longFiles(425), []);
    const web = new URL("../../web/src/", import.meta.url).pathname;
    const longWeb = readdirSync(web)
      .filter((f) => /\.tsx?$/.test(f))
      .filter((f) => readFileSync(join(web, f), "utf8").split("\n").length > 425);
    assert.deepEqual(longWeb, [], "web pages");
  });
});
