import assert from "node:assert/strict";
import { it } from "node:test";
import { createConfig, lintFromString } from "@redocly/openapi-core";
import { TAGS } from "../src/http/openapi.ts";
import { forEachDialect } from "./db.ts";
import { useTestApp } from "./fixtures.ts";

type Operation = {
  operationId?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses: Record<string, { content?: Record<string, unknown> }>;
};

forEachDialect("the API document", (dialect) => {
  const ctx = useTestApp(dialect);
  const document = async () => (await ctx.app.inject({ url: "/docs/json" })).json();

  it("passes a well-kept OpenAPI linter's recommended rules, and more, with no error and no warning", async () => {
    const source = (await ctx.app.inject({ url: "/docs/json" })).body;
    const config = await createConfig({
      extends: ["recommended"],
      rules: {
        "operation-description": "warn",
        "operation-tag-defined": "error",
        "no-unused-components": "warn",
        "operation-4xx-response": "warn",
      },
    } as never);
    const problems = await lintFromString({ source, absoluteRef: "/openapi.json", config });
    assert.deepEqual(
      problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`),
      [],
    );
    assert.ok(
      source.length < 600_000,
      `the document is ${source.length} bytes (shared schemas in components)`,
    );
  });

  it("names every operation after its use case, says who may call it, and declares its tags", async () => {
    const doc = await document();
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Operation>>)) {
      for (const [method, op] of Object.entries(item)) {
        const where = `${method.toUpperCase()} ${path}`;
        assert.match(op.operationId ?? "", /^[a-z][A-Za-z]+$/, `${where}: operationId`);
        assert.ok(!ids.has(op.operationId!), `${where}: ${op.operationId} twice`);
        ids.add(op.operationId!);
        assert.ok(op.description && op.description.length > 10, `${where}: description`);
        for (const t of op.tags ?? []) assert.ok(TAGS[t], `${where}: tag ${t} declared`);
        for (const status of ["400", "500", "503"]) assert.ok(op.responses[status], `${where}: ${status}`);
        if (op.requestBody)
          for (const status of ["413", "415"]) assert.ok(op.responses[status], `${where}: ${status}`);
        if (op.responses["204"])
          assert.equal(op.responses["204"].content, undefined, `${where}: a 204 has no body`);
      }
    }
    assert.ok(ids.size >= 125, `${ids.size} operations`);
    assert.ok(ids.has("reportTemporaryLoss") && ids.has("settle") && ids.has("refund"));
    assert.deepEqual(
      doc.tags.map((t: { name: string }) => t.name),
      [...doc.tags.map((t: { name: string }) => t.name)].sort(),
    );
    assert.equal(doc.servers.length, 1);
  });

  it("documents public operations without a token, errors by one shared schema, and files by their media type", async () => {
    const doc = await document();
    for (const path of ["/api/v1/holder/login", "/api/v1/holder/login/ecard", "/api/v1/auth/login"])
      assert.deepEqual(doc.paths[path].post.security, [], `${path} needs no token`);
    assert.equal(doc.paths["/api/v1/cards/{cardNumber}"].get.security, undefined, "the rest need one");
    const error = doc.paths["/api/v1/cards/{cardNumber}"].get.responses["404"];
    assert.deepEqual(error.content["application/json"].schema, { $ref: "#/components/schemas/Error" });
    assert.ok(doc.components.schemas.Error.properties.code.enum.includes("CARD_NOT_FOUND"));
    const csv = doc.paths["/api/v1/institutions/{code}/reconciliation.csv"].get.responses["200"].content;
    assert.deepEqual(Object.keys(csv), ["text/csv"]);
    const description = doc.paths["/api/v1/cards/{cardNumber}/password/unlock"].post.description;
    assert.match(description, /credentials\.unlockOrReset/);
    assert.match(description, /counter: outlet_clerk/);
  });
});
