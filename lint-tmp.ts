import { createConfig, lintFromString } from "@redocly/openapi-core";
import { buildApp } from "./src/app.ts";
import { createDeps } from "./src/deps.ts";
import { createTestDb } from "./test/db.ts";
import { testSecrets } from "./test/fixtures.ts";

const db = await createTestDb("sqlite");
const deps = createDeps(db, {
  secrets: testSecrets(),
  sessionTtlMinutes: 480,
  sessionIdleMinutes: 30,
  authCacheSeconds: 5,
} as never);
const app = await buildApp(deps as never);
const doc = (await app.inject({ url: "/docs/json" })).body;
console.log("bytes", doc.length, doc.slice(0, 300));
const config = await createConfig({
  extends: ["recommended"],
  rules: {
    "operation-description": "warn",
    "operation-tag-defined": "error",
    "no-unused-components": "warn",
    "tags-alphabetical": "off",
  },
} as never);
const problems = await lintFromString({ source: doc, absoluteRef: "/openapi.json", config });
const byRule = new Map<string, number>();
for (const p of problems)
  byRule.set(`${p.severity} ${p.ruleId}`, (byRule.get(`${p.severity} ${p.ruleId}`) ?? 0) + 1);
console.log([...byRule].sort());
for (const p of problems.slice(0, 8))
  console.log(p.ruleId, p.message, JSON.stringify(p.location[0]?.pointer));
await app.close();
process.exit(0);
