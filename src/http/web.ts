import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

const WEB = fileURLToPath(new URL("../../web/", import.meta.url));
export const WEB_DIST = join(WEB, "dist");

/** The newest modification time under a directory (0 when it does not exist). */
function newest(dir: string): number {
  if (!existsSync(dir)) return 0;
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/**
 * Builds the web front ends with Vite when web/dist is missing or older than their sources (the
 * `npm start` path); does nothing where Vite is not installed (a production install serves the
 * dist it was given). Returns what it did, for the start-up message.
 */
export async function ensureWebBuild(): Promise<"built" | "current" | "unavailable"> {
  const built = existsSync(join(WEB_DIST, "index.html")) ? statSync(join(WEB_DIST, "index.html")).mtimeMs : 0;
  const sources = Math.max(
    newest(join(WEB, "src")),
    newest(join(WEB, "public")),
    statSync(join(WEB, "index.html")).mtimeMs,
    statSync(join(WEB, "kiosk.html")).mtimeMs,
  );
  if (built > sources) return "current";
  let vite: typeof import("vite");
  try {
    vite = await import("vite");
  } catch {
    return built ? "current" : "unavailable";
  }
  await vite.build({ configFile: join(WEB, "vite.config.ts"), logLevel: "warn" });
  return "built";
}

export const webBuilt = () => existsSync(join(WEB_DIST, "index.html"));

/** Serves the built front ends at `/` (the counter console and the online service hall). */
export async function serveWeb(app: FastifyInstance): Promise<void> {
  if (!webBuilt()) return;
  await app.register(fastifyStatic, { root: WEB_DIST, prefix: "/", index: ["index.html"], wildcard: false });
  // The self-service kiosk's own page (a kiosk browser opens it full screen).
  app.get("/kiosk", { config: { access: "public" }, schema: { hide: true } }, (_request, reply) =>
    reply.sendFile("kiosk.html"),
  );
}
