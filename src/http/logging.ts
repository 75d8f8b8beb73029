import type { FastifyServerOptions } from "fastify";
import { loggableUrl, maskIdNumbersIn } from "../shared/mask.ts";

/**
 * Log options: JSON lines, request ids, no authorisation header; a URL is logged as its route pattern
 * and the names of its query parameters, never their values; error messages with ID numbers masked.
 */
export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
    redact: {
      paths: [
        "req.headers.authorization",
        "req.headers.cookie",
        "*.password",
        "*.idNumber",
        "*.token",
        "*.component",
      ],
      censor: "***",
    },
    serializers: {
      req: (req: {
        method: string;
        url: string;
        id: string;
        ip?: string;
        routeOptions?: { url?: string };
      }) => ({
        method: req.method,
        url: loggableUrl(req.url, req.routeOptions?.url),
        id: req.id,
        ip: req.ip,
      }),
      err: (err: Error & { type?: string; code?: string; statusCode?: number }) => ({
        type: err.type ?? err.name,
        code: err.code,
        statusCode: err.statusCode,
        message: maskIdNumbersIn(String(err.message)),
        stack: maskIdNumbersIn(err.stack ?? ""),
      }),
    },
  };
}
