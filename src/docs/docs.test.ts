import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { GENERATED_DOCS } from "./generated.ts";

for (const [name, render] of Object.entries(GENERATED_DOCS)) {
  it(`docs/${name} matches the code (run npm run docs)`, () => {
    const onDisk = readFileSync(new URL(`../../docs/${name}`, import.meta.url), "utf8");
    assert.equal(onDisk, render(onDisk));
  });
}
