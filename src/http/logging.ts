import type { FastifyServerOptions } from "fastify";
import { maskIdNumbersIn } from "../shared/mask.ts";

/** Log options: JSON lines, request ids, no authorisation header, ID numbers in URLs masked. */
export function loggerOptions(level: string): FastifyServerOptions["logger"] {
  return {
    level,
    redact: {
      paths: ["req.headers.authorization", "req.headers.cookie", "*.password", "*.idNumber", "*.token"],
      censor: "***",
    },
    serializers: {
      req: (req: { method: string; url: string; id: string; ip?: string }) => ({
        method: req.method,
        url: maskIdNumbersIn(req.url),
        id: req.id,
        ip: req.ip,
      }),
    },
  };
}
