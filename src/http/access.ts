import type { FastifyInstance, FastifyRequest } from "fastify";
import { type Actor, authorize, findGrant } from "../shared/auth.ts";
import { DomainError } from "../shared/errors.ts";
import type { Permission } from "../shared/permissions.ts";

/**
 * Every route declares who may call it: `public`; the permission it needs (its row of the action ×
 * channel × role matrix in shared/permissions.ts) and, for routes about one area, how to find that
 * area in the request; `holder` for the online service hall's signed-in holders; `channel` for the
 * e-card's channel apps.
 */
export type Access =
  | "public"
  | "holder"
  | "channel"
  | Readonly<{ permission: Permission; area?: (request: FastifyRequest) => string | undefined }>;

declare module "fastify" {
  interface FastifyContextConfig {
    access?: Access;
    /** A holder route that changes nothing a query-scope session may not do (sign out, a certificate). */
    forQuerySessions?: boolean;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}

/** The routes the app serves with their declared access, for the permission test and the docs. */
export type RouteEntry = { method: string; url: string; access: Access };

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header?.startsWith("Bearer ")) return undefined;
  return header.slice(7).trim();
}

/** The signed-in actor of a request that passed the access hook. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new DomainError("UNAUTHENTICATED");
  return request.actor;
}

/**
 * Installs the access check: a route under /api/ without a declaration refuses to register; a
 * request is authenticated before its body is read, and its area is checked once it is validated.
 */
export function installAccessControl(
  app: FastifyInstance,
  authenticate: (token: string) => Promise<Actor>,
  routeTable: RouteEntry[],
): void {
  app.decorateRequest("actor", null);

  app.addHook("onRoute", (route) => {
    if (!route.url.startsWith("/api/")) return;
    const access = route.config?.access;
    if (!access) throw new Error(`route ${route.method} ${route.url} does not declare who may call it`);
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) if (method !== "HEAD") routeTable.push({ method, url: route.url, access });
  });

  // Callback-style hooks: these run on every request, and a promise per hook is measurable.
  app.addHook("onRequest", (request, _reply, done) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === "public") return done();
    const token = bearer(request);
    if (!token) return done(new DomainError("UNAUTHENTICATED"));
    authenticate(token).then(
      (actor) => {
        request.actor = actor;
        const allowed =
          access === "holder" || access === "channel"
            ? actor.type === access &&
              // A kiosk session opened by the ID card alone reads; it changes nothing.
              (actor.scope !== "query" ||
                request.method === "GET" ||
                request.routeOptions.config?.forQuerySessions === true)
            : findGrant(actor, access.permission) !== undefined;
        done(allowed ? undefined : new DomainError("FORBIDDEN"));
      },
      (err: Error) => done(err),
    );
  });

  app.addHook("preHandler", (request, _reply, done) => {
    const access = request.routeOptions.config?.access;
    if (!access || access === "public" || access === "holder" || access === "channel" || !request.actor)
      return done();
    try {
      // The area of the request must be one of the caller's (the service checks the data's own area).
      authorize(request.actor, access.permission, access.area?.(request));
      done();
    } catch (err) {
      done(err as Error);
    }
  });
}
