import { readFileSync, writeFileSync } from "node:fs";
import { GENERATED_DOCS } from "../src/docs/generated.ts";

for (const [name, render] of Object.entries(GENERATED_DOCS)) {
  const file = new URL(`../docs/${name}`, import.meta.url);
  writeFileSync(file, render(readFileSync(file, "utf8")));
  console.log(`wrote docs/${name}`);
}
