import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { it } from "node:test";
import { renderErrorDocs } from "./error-docs.ts";

it("docs/errors.md lists every error code as the code defines it (run npm run docs:errors)", () => {
  const onDisk = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");
  assert.equal(onDisk, renderErrorDocs());
});
