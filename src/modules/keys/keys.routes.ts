import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { actorOf } from "../../http/access.ts";
import { AUTH_ERRORS, errors } from "../../http/schemas.ts";
import { KEY_PERMISSIONS } from "./keys.permissions.ts";
import type { KeyState } from "./keys.state.ts";
import type { publishedSigningKeys } from "./signer.ts";

/** The state of the encryption machine's keys, for the administrators and auditors. */
export function keysRoutes(deps: {
  keyState: KeyState;
  signingKeys: ReturnType<typeof publishedSigningKeys>;
}): FastifyPluginAsyncZod {
  const { keyState } = deps;
  return async (app) => {
    app.get(
      "/signing-keys",
      {
        config: { access: "public" },
        schema: {
          operationId: "listSigningKeys",
          tags: ["keys"],
          summary: "The SM2 public keys that verify what sscard signs: one per purpose and version",
          response: {
            200: z.array(
              z.object({
                purpose: z.string(),
                version: z.number().int(),
                inForce: z.boolean(),
                signs: z.string(),
                publicKey: z.string(),
                algorithm: z.literal("SM2-SM3"),
                userId: z.string(),
              }),
            ),
          },
        },
      },
      async () => deps.signingKeys,
    );
    app.get(
      "/keys",
      {
        config: { access: { permission: KEY_PERMISSIONS.read } },
        schema: {
          operationId: "listKeys",
          tags: ["keys"],
          summary:
            "The keys the encryption machine holds for the nation and the caller's areas: label, usage, version, state (never a key or its check value)",
          response: {
            200: z.array(
              z.object({
                label: z.string(),
                usage: z.string(),
                algorithm: z.string(),
                version: z.number().int(),
                areaCode: z.string().nullable().describe("null: a national key"),
                asymmetric: z.boolean().describe("an SM2 key pair (an area's CA key)"),
                createdAt: z.string(),
                retiredAt: z.string().nullable(),
                state: z.enum(["active", "retired"]),
              }),
            ),
            ...errors(...AUTH_ERRORS),
          },
        },
      },
      async (request) => keyState.list(actorOf(request)),
    );
  };
}
