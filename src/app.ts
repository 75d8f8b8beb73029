import { randomUUID } from "node:crypto";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyInstance, type FastifyServerOptions } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import type { Deps } from "./deps.ts";
import { installAccessControl, type RouteEntry } from "./http/access.ts";
import {
  clientErrorHandler,
  frameworkErrors,
  installErrorHandling,
  MAX_PARAM_LENGTH,
} from "./http/errors.ts";
import { transformDocument, transformRoute } from "./http/openapi.ts";
import { serveWeb } from "./http/web.ts";
import { applicationsRoutes } from "./modules/areas/applications.routes.ts";
import { areasRoutes } from "./modules/areas/areas.routes.ts";
import { auditRoutes } from "./modules/audit/audit.routes.ts";
import { benefitsRoutes } from "./modules/benefits/benefits.routes.ts";
import { cardsRoutes } from "./modules/cards/cards.routes.ts";
import { certificatesRoutes } from "./modules/certificates/certificates.routes.ts";
import { chipRoutes } from "./modules/chip/chip.routes.ts";
import { readerRoutes } from "./modules/chip/reader.routes.ts";
import { terminalsRoutes } from "./modules/chip/terminals.routes.ts";
import { credentialsRoutes } from "./modules/credentials/credentials.routes.ts";
import { ecardRoutes } from "./modules/ecard/ecard.routes.ts";
import { employersRoutes } from "./modules/employers/employers.routes.ts";
import { enrolmentRoutes } from "./modules/enrolment/enrolment.routes.ts";
import { healthRoutes } from "./modules/health/health.routes.ts";
import { holderRoutes } from "./modules/holder/holder.routes.ts";
import { jobsRoutes } from "./modules/jobs/jobs.routes.ts";
import { keysRoutes } from "./modules/keys/keys.routes.ts";
import { kioskRoutes } from "./modules/kiosk/kiosk.routes.ts";
import { medicalRoutes } from "./modules/medical/medical.routes.ts";
import { nationalRoutes } from "./modules/national/national.routes.ts";
import { paymentsRoutes } from "./modules/payments/payments.routes.ts";
import { personsRoutes } from "./modules/persons/persons.routes.ts";
import { phoneRoutes } from "./modules/phone/phone.routes.ts";
import { staffRoutes } from "./modules/staff/staff.routes.ts";

export type AppOptions = {
  /** pino options, or false for no logs (tests). */
  logger?: FastifyServerOptions["logger"];
  bodyLimit?: number;
  /** Told of every answer of an /api route (its route pattern, status and media type): the tests check them against the API document. */
  onAnswer?: (answer: {
    method: string;
    route: string;
    status: number;
    mediaType: string | undefined;
  }) => void;
};

export type App = FastifyInstance & { routeTable: RouteEntry[] };

/** Builds the HTTP application on its dependencies: docs, access control, errors, one plugin per module. */
export async function buildApp(deps: Deps, options: AppOptions = {}): Promise<App> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    requestIdHeader: "x-request-id",
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: false } },
    // Errors raised before a route runs get the project's { code, message } shape too.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors,
    clientErrorHandler,
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const routeTable: RouteEntry[] = [];
  installErrorHandling(app);
  installAccessControl(
    app,
    (token) =>
      token.startsWith("ssh_")
        ? deps.holder.authenticate(token)
        : token.startsWith("ecc_")
          ? deps.ecard.authenticateChannel(token)
          : deps.staff.authenticate(token),
    routeTable,
  );
  app.addHook("onRequest", (request, reply, done) => {
    reply.header("x-request-id", request.id);
    done();
  });
  const onAnswer = options.onAnswer;
  if (onAnswer)
    app.addHook("onResponse", (request, reply, done) => {
      const route = request.routeOptions.url;
      if (route?.startsWith("/api/"))
        onAnswer({
          method: request.method,
          route,
          status: reply.statusCode,
          mediaType: String(reply.getHeader("content-type") ?? "").split(";")[0] || undefined,
        });
      done();
    });

  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "sscard API",
        version: "1",
        description:
          "社会保障卡平台接口 · Social security card platform API. Authenticate with `Authorization: Bearer <token>` (a staff session from `POST /api/v1/auth/login`, or an institution API key). Errors are `{ code, message, details? }`; messages follow `Accept-Language` (Chinese by default).",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: transformRoute,
    transformObject: transformDocument,
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });

  await app.register(healthRoutes(deps));
  await app.register(staffRoutes(deps), { prefix: "/api/v1" });
  await app.register(areasRoutes(deps), { prefix: "/api/v1" });
  await app.register(applicationsRoutes(deps), { prefix: "/api/v1" });
  await app.register(personsRoutes(deps), { prefix: "/api/v1" });
  await app.register(auditRoutes(deps), { prefix: "/api/v1" });
  await app.register(cardsRoutes(deps), { prefix: "/api/v1" });
  await app.register(credentialsRoutes(deps), { prefix: "/api/v1" });
  await app.register(chipRoutes(deps), { prefix: "/api/v1" });
  await app.register(readerRoutes(deps), { prefix: "/api/v1" });
  await app.register(terminalsRoutes(deps), { prefix: "/api/v1" });
  await app.register(employersRoutes(deps), { prefix: "/api/v1" });
  await app.register(enrolmentRoutes(deps), { prefix: "/api/v1" });
  await app.register(kioskRoutes(deps), { prefix: "/api/v1" });
  await app.register(paymentsRoutes(deps), { prefix: "/api/v1" });
  await app.register(benefitsRoutes(deps), { prefix: "/api/v1" });
  await app.register(phoneRoutes(deps), { prefix: "/api/v1" });
  await app.register(holderRoutes(deps), { prefix: "/api/v1" });
  await app.register(ecardRoutes(deps), { prefix: "/api/v1" });
  await app.register(medicalRoutes(deps), { prefix: "/api/v1" });
  await app.register(jobsRoutes(deps), { prefix: "/api/v1" });
  await app.register(keysRoutes(deps), { prefix: "/api/v1" });
  await app.register(certificatesRoutes(deps));
  await app.register(
    nationalRoutes({
      national: deps.national,
      check: deps.enrolment.check,
      settle: deps.medical.settleForProvince,
      refund: deps.medical.refundForProvince,
      verifyCode: deps.ecard.verifyOnline,
    }),
  );
  await serveWeb(app);

  // Group-committed attempt records are written before the database closes.
  app.addHook("onClose", async () => {
    await deps.credentials.flushAttempts();
    await deps.enrolment.flushChecks();
  });

  await app.ready();
  return Object.assign(app, { routeTable }) as unknown as App;
}
