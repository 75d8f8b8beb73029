import type { FastifyDynamicSwaggerOptions } from "@fastify/swagger";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import type { Permission } from "../shared/auth.ts";
import { MATRIX_CHANNELS } from "../shared/permissions.ts";
import type { Access } from "./access.ts";

/*
 * The API document as client generators and linters read it: every operation named (operationId,
 * declared by its route), described by who may call it, with the statuses the platform can answer
 * (the framework's too: a malformed request, a body too large or of the wrong type, the database
 * unavailable), one shared error schema in `components`, declared tags, public operations without a
 * token, bodiless 204 responses and files with their own media type.
 */

type Json = Record<string, unknown>;
type Operation = {
  operationId?: string;
  description?: string;
  summary?: string;
  tags?: string[];
  security?: unknown[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
};

/** What each tag is about (a tag used and not declared here fails the document's test). */
export const TAGS: Record<string, string> = {
  health: "Liveness and readiness of the server",
  auth: "Staff sign-in and sessions",
  "api keys": "API keys for terminals, self-service kiosks, the phone line and online platforms",
  staff: "Staff accounts (administrators)",
  areas: "Card-issuing areas, their outlets, policy versions and working-day calendars",
  persons: "The person registry (ID numbers encrypted; masked in every answer)",
  audit: "The audit log: records, the hash chain and its signed checkpoints",
  cards: "The physical card: applications, production, the outlet's lifecycle actions, the blacklist",
  passwords: "The card's social security password: verification, lockout, unlock, reset, change",
  chip: "The card's chip: personalisation, certificates, remote authentication, issuer scripts, purses",
  reader: "A terminal's card reader: the chip read through the terminal's PSAM",
  employers: "Employers and their employees",
  enrolment: "Insurance enrolment, personal numbers, arrears, the online check at card reading",
  holder: "The online service hall: a card holder's own cards, checks and contributions",
  certificates:
    "Certificates a holder takes away (temporary medical certificate, collection slip, …): PDF with the red seal and a signed QR, revocation, public verification",
  kiosk: "The self-service terminals in outlets and hospitals (the kiosk's key is the principal)",
  phone:
    "The 12333 hotline and the 96102 loss line: the switch asks what to play and collect next (the switch's key is the principal)",
  ecard: "The electronic card: channels, sign-up, credentials, codes, family, the status list",
  medical: "Designated institutions, the catalogue, contributions, the personal account, settlement",
  benefits:
    "Benefits paid to the card: an office's payment batches, the partner banks' payment and return files, the failures with their remedy",
  jobs: "The periodic jobs and their runs",
  keys: "The state of the encryption machine's keys (never a key)",
  time: "The server's clock",
  "national hub":
    "全国平台 · The national platform: what the national hub asks of this province (signed by the hub with the province's key, not a staff token)",
};

/** The statuses any operation may answer whatever its route says, and why. */
const ALWAYS: Record<string, string> = {
  "400": "The request is malformed or breaks the schema (`MALFORMED_REQUEST`, `VALIDATION_FAILED`, …)",
  "500": "Internal error (`INTERNAL_ERROR`); nothing was changed",
  "503": "The database is unavailable (`DATABASE_UNAVAILABLE`); retry later",
};
/** The statuses of an operation that takes a body. */
const WITH_BODY: Record<string, string> = {
  "413": "The body is larger than the server accepts (`PAYLOAD_TOO_LARGE`)",
  "415": "The body is not JSON (`UNSUPPORTED_MEDIA_TYPE`)",
  "422": "Refused by a rule, or the body names something that does not exist (`REFERENCE_NOT_FOUND`)",
};
const STATUS_TEXT: Record<string, string> = {
  "401": "No valid token (`UNAUTHENTICATED`, `SESSION_EXPIRED`, …)",
  "403": "The caller may not take this action here (`FORBIDDEN`, `AREA_FORBIDDEN`, …)",
  "404": "Not found",
  "408": "The request took too long to arrive",
  "409": "Conflict with the current state (a concurrent change, a state that does not allow it, …)",
  "422": "Refused by a rule (the code says which)",
  "423": "Locked (the password after too many wrong attempts)",
  "429": "Too many attempts; wait and retry",
};

/** Who may call an operation, in words, from its route's access declaration. */
function whoMayCall(access: Access | undefined): string {
  if (!access || access === "public") return "Public: no token.";
  if (access === "holder")
    return "A card holder signed in to the online service hall (token from `POST /api/v1/holder/login`); acts on the holder's own cards and data only.";
  if (access === "channel")
    return "An e-card channel app (its channel token), for the holders signed up through it.";
  const p: Permission = access.permission;
  const cells = MATRIX_CHANNELS.filter((c) => p.channels[c]?.length).map(
    (c) => `${c}: ${p.channels[c]!.join(", ")}`,
  );
  return `Action \`${p.action}\` (${p.summary}). Channels and roles: ${cells.join("; ")}. See docs/permissions.md.`;
}

/** The route-level transform: the zod schemas as JSON Schema, then who may call it and whether a token is needed. */
export const transformRoute: FastifyDynamicSwaggerOptions["transform"] = (input) => {
  const out = jsonSchemaTransform(input as Parameters<typeof jsonSchemaTransform>[0]);
  const access = (input.route.config as { access?: Access } | undefined)?.access;
  const schema = out.schema as Json;
  const description = [schema.description, whoMayCall(access)].filter(Boolean).join("\n\n");
  return {
    ...out,
    schema: { ...schema, description, ...(access === "public" || !access ? { security: [] } : {}) },
  };
};

/** Whether a schema is the error body every error response carries (an object with the code enum). */
function isErrorSchema(schema: Json | undefined): boolean {
  const props = schema?.properties as Record<string, Json> | undefined;
  return Boolean(
    props?.code && Array.isArray(props.code.enum) && props.message && props.code.enum.length > 50,
  );
}

/** The registered schemas the paths refer to (each has an input and an output variant; one is often unused). */
function usedComponents(paths: unknown, schemas: Record<string, Json> | undefined) {
  const text = JSON.stringify(paths);
  return Object.fromEntries(
    Object.entries(schemas ?? {}).filter(([name]) => text.includes(`"#/components/schemas/${name}"`)),
  );
}

/** The document-level transform: shared error schema, statuses, servers, tags, media types. */
export const transformDocument: FastifyDynamicSwaggerOptions["transformObject"] = (input) => {
  // Schemas registered with an id (`.meta({ id })`) become components, referenced where they are used.
  const doc = jsonSchemaTransformObject(input as Parameters<typeof jsonSchemaTransformObject>[0]) as Json & {
    paths?: Record<string, Record<string, Operation>>;
    components?: Json & { schemas?: Record<string, Json> };
  };
  let errorSchema: Json | undefined;
  const used = new Set<string>();
  const errorRef = { $ref: "#/components/schemas/Error" };
  const errorResponse = (description: string) => ({
    description,
    content: { "application/json": { schema: errorRef } },
  });
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const op of Object.values(item)) {
      if (!op || typeof op !== "object" || !op.responses) continue;
      for (const t of op.tags ?? []) used.add(t);
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.["application/json"]?.schema;
        if (isErrorSchema(schema)) {
          errorSchema ??= schema;
          op.responses[status] = errorResponse(STATUS_TEXT[status] ?? response.description ?? "Error");
        }
        // A 204 has no body.
        if (status === "204") op.responses[status] = { description: "Done; no content" };
      }
      if (path.endsWith(".csv") && op.responses["200"])
        op.responses["200"] = {
          description: "The file (UTF-8 CSV)",
          content: { "text/csv": { schema: { type: "string" } } },
        };
      if (path.endsWith("/pdf") && op.responses["200"])
        op.responses["200"] = {
          description: "The document (PDF)",
          content: { "application/pdf": { schema: { type: "string", format: "binary" } } },
        };
      // An application's material: the file as uploaded, of one of the types Measures Art. 7's materials may be.
      if (path.endsWith("/materials/{kind}") && op.responses["200"] && !op.requestBody)
        op.responses["200"] = {
          description: "The material's file, as uploaded",
          content: Object.fromEntries(
            ["application/pdf", "image/png", "image/jpeg", "application/json", "text/csv"].map((t) => [
              t,
              { schema: { type: "string", format: "binary" } },
            ]),
          ),
        };
      const extra = { ...ALWAYS, ...(op.requestBody ? WITH_BODY : {}) };
      for (const [status, description] of Object.entries(extra))
        op.responses[status] ??= errorResponse(description);
    }
  }
  const unknown = [...used].filter((t) => !TAGS[t]);
  if (unknown.length)
    throw new Error(`tags without a description in src/http/openapi.ts: ${unknown.join(", ")}`);
  return {
    ...doc,
    servers: [{ url: "/", description: "This server (every API path begins with /api/v1)" }],
    info: {
      ...(doc.info as Json),
      license: { name: "Apache-2.0", url: "https://www.apache.org/licenses/LICENSE-2.0" },
    },
    tags: [...used].sort().map((name) => ({ name, description: TAGS[name] })),
    components: {
      ...doc.components,
      schemas: {
        ...usedComponents(doc.paths, doc.components?.schemas),
        ...(errorSchema ? { Error: errorSchema } : {}),
      },
    },
  } as ReturnType<NonNullable<FastifyDynamicSwaggerOptions["transformObject"]>>;
};
