import { createSecretKey, randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyServerOptions } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from "fastify-type-provider-zod";
import type { Kysely } from "kysely";
import type { Db } from "./db/database.ts";
import { clientErrorHandler, frameworkErrors, installErrorHandling } from "./http/errors.ts";
import { createHubRepository } from "./modules/national/hub.repository.ts";
import { hubRoutes } from "./modules/national/hub.routes.ts";
import { createHubService } from "./modules/national/hub.service.ts";
import type { HubDatabase } from "./modules/national/hub.tables.ts";
import type { Clock } from "./shared/clock.ts";

/** The national hub's services on its own database (SSCARD_ROLE=hub; src/modules/national). */
export function createHubDeps(
  database: Db,
  clock: Clock,
  national: {
    provinceKeys: ReadonlyMap<string, Buffer>;
    provinceUrls?: ReadonlyMap<string, string>;
    ecardKey?: Buffer;
  },
) {
  const db = database.db as unknown as Kysely<HubDatabase>;
  const provinces = new Map(
    [...national.provinceKeys].map(([code, key]) => [
      code,
      { key: createSecretKey(key), url: national.provinceUrls?.get(code) },
    ]),
  );
  const hub = createHubService({
    ...{ db, repo: createHubRepository(), clock, provinces },
    ecardKey: national.ecardKey?.toString("hex"),
  });
  return { database, db, clock, hub, provinces };
}

/** The hub's HTTP application: the provinces' signed API under /hub/v1, its API document at /docs. */
export async function buildHubApp(
  deps: ReturnType<typeof createHubDeps>,
  options: { logger?: FastifyServerOptions["logger"] } = {},
) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 2 * 1024 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "sscard national hub API",
        version: "1",
        description:
          "全国社会保障卡平台（省级接口）· The national hub's API for provinces. Each request is signed by its province: `x-sscard-province`, `x-sscard-at` (ISO time) and `x-sscard-signature`, HMAC-SM3 over the time, the method, the path and the raw body, one per line.",
      },
      components: {
        securitySchemes: {
          provinceSignature: { type: "apiKey", in: "header", name: "x-sscard-signature" },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  app.get("/healthz", { schema: { hide: true } }, async () => ({ status: "ok", role: "hub" }));
  const provinceKeys = new Map([...deps.provinces].map(([code, p]) => [code, p.key]));
  await app.register(hubRoutes({ hub: deps.hub, clock: deps.clock, provinceKeys }));
  await app.ready();
  return app;
}
