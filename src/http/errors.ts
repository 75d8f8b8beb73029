import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { foreignKeyViolation, isDatabaseUnavailable } from "../db/database.ts";
import { DomainError, type ErrorCode, type ErrorDetails } from "../shared/errors.ts";
import { HTTP_STATUS } from "../shared/http-errors.ts";
import { maskIdNumbersIn } from "../shared/mask.ts";
import { type Language, languageOf, messageFor } from "../shared/messages.ts";
import { issueText, locationText, withProblemText } from "../shared/validation-messages.ts";

/** Every error body: a stable code, a message in the caller's language, and details when they help. */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  code: ErrorCode,
  details?: ErrorDetails,
) {
  const lang = languageOf(request.headers["accept-language"]);
  const body: { code: ErrorCode; message: string; details?: ErrorDetails } = {
    code,
    message: messageFor(code, lang, details),
  };
  if (details && Object.keys(details).length) body.details = withWordedErrors(details, lang);
  if (code === "TOO_MANY_ATTEMPTS" && typeof details?.retryAt === "string") {
    reply.header(
      "retry-after",
      String(Math.max(1, Math.ceil((Date.parse(details.retryAt) - Date.now()) / 1000))),
    );
  }
  return reply
    .status(HTTP_STATUS[code])
    .header("content-language", lang === "zh" ? "zh-CN" : "en")
    .type("application/json; charset=utf-8")
    .send(body);
}

/** The schema's findings, each worded in the caller's language (a field's name stays as it is). */
function validationDetails(error: FastifyError, lang: Language) {
  const location = error.validationContext ?? "body";
  const issues = (error.validation ?? []).map((v) => ({
    location,
    path: v.instancePath.replace(/^\//, "").replaceAll("/", ".") || undefined,
    message: maskIdNumbersIn(issueText(v as Parameters<typeof issueText>[0], lang)),
    ...(v.keyword === "unrecognized_keys" ? { unknownKeys: (v.params as { keys?: string[] }).keys } : {}),
  }));
  const summary = issues
    .map(
      (i) =>
        `${[locationText(i.location, lang), i.path].filter(Boolean).join(".")}${lang === "zh" ? "：" : ": "}${i.message}`,
    )
    .join(lang === "zh" ? "；" : "; ");
  return { summary, issues };
}

/** The value of the card number when it is the only field a request got wrong. */
function malformedCardNumber(error: FastifyError, request: FastifyRequest): string | undefined {
  const issues = error.validation ?? [];
  if (issues.length !== 1) return undefined;
  const path = issues[0].instancePath.replace(/^\//, "").split("/");
  if (path.at(-1) !== "cardNumber") return undefined;
  const source = (request as unknown as Record<string, unknown>)[error.validationContext ?? "body"];
  const value = path.reduce<unknown>(
    (at, key) => (at && typeof at === "object" ? (at as Record<string, unknown>)[key] : undefined),
    source,
  );
  return typeof value === "string" ? value.slice(0, 32) : undefined;
}

/** One error handler for the whole app: domain errors by the code table, framework errors by kind, never a leak. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof DomainError) {
      if (HTTP_STATUS[error.code] >= 500) request.log.error({ code: error.code }, "domain error");
      return sendError(request, reply, error.code, error.details);
    }
    if (hasZodFastifySchemaValidationErrors(error) || error.validation) {
      // A malformed card number is told as such, wherever it was sent (the path, a body, a query).
      const cardNumber = malformedCardNumber(error, request);
      if (cardNumber !== undefined) return sendError(request, reply, "INVALID_CARD_NUMBER", { cardNumber });
      return sendError(
        request,
        reply,
        "VALIDATION_FAILED",
        validationDetails(error, languageOf(request.headers["accept-language"])),
      );
    }
    if (isResponseSerializationError(error)) {
      request.log.error({ err: { message: error.message } }, "response did not match its schema");
      return sendError(request, reply, "INTERNAL_ERROR");
    }
    switch (error.code) {
      case "FST_ERR_CTP_BODY_TOO_LARGE":
        return sendError(request, reply, "PAYLOAD_TOO_LARGE", { limit: app.initialConfig.bodyLimit });
      case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
        return sendError(request, reply, "UNSUPPORTED_MEDIA_TYPE", {
          contentType: String(request.headers["content-type"] ?? ""),
        });
      case "FST_ERR_CTP_EMPTY_JSON_BODY":
      case "FST_ERR_CTP_INVALID_JSON_BODY":
        return sendError(request, reply, "MALFORMED_JSON");
    }
    if (error instanceof SyntaxError && error.statusCode === 400)
      return sendError(request, reply, "MALFORMED_JSON");
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
      return sendError(request, reply, "VALIDATION_FAILED", { summary: maskIdNumbersIn(error.message) });
    }
    if (isDatabaseUnavailable(error)) {
      request.log.warn({ err: { type: error.name, code: error.code } }, "database unavailable");
      reply.header("retry-after", "1");
      return sendError(request, reply, "DATABASE_UNAVAILABLE");
    }
    // A reference to something that does not exist (an area code no area has): the client's mistake, not ours.
    const reference = foreignKeyViolation(error);
    if (reference) return sendError(request, reply, "REFERENCE_NOT_FOUND", reference);
    request.log.error(
      { err: { type: error.name, message: maskIdNumbersIn(error.message), stack: error.stack } },
      "unhandled error",
    );
    return sendError(request, reply, "INTERNAL_ERROR");
  });

  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, "ROUTE_NOT_FOUND", {
      method: request.method,
      url: maskIdNumbersIn(request.url.split("?")[0]),
    }),
  );
}

/** The longest path parameter the router accepts; longer ones are URL_TOO_LONG (never echoed). */
export const MAX_PARAM_LENGTH = 100;

/**
 * Errors the router raises before a route is found (an undecodable `%` sequence, an over-long path
 * parameter): Fastify's `frameworkErrors`, answered in the project's shape without echoing the URL.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  if (error.code === "FST_ERR_MAX_PARAM_LENGTH")
    return sendError(request, reply, "URL_TOO_LONG", { limit: MAX_PARAM_LENGTH });
  if (error.code === "FST_ERR_BAD_URL") return sendError(request, reply, "MALFORMED_URL");
  request.log.error({ err: { code: error.code } }, "framework error");
  return sendError(request, reply, "INTERNAL_ERROR");
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers too large, a bad
 * Content-Length, a timeout): Fastify's `clientErrorHandler`. The headers were not read, so the
 * language is the default, Chinese; nothing of the request is echoed.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket) {
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  const code: ErrorCode =
    error.code === "HPE_HEADER_OVERFLOW"
      ? "HEADERS_TOO_LARGE"
      : error.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? "REQUEST_TIMEOUT"
        : "MALFORMED_REQUEST";
  const status = HTTP_STATUS[code];
  const body = JSON.stringify({ code, message: messageFor(code, "zh") });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nConnection: close\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Language: zh-CN\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/** The OpenAPI description of an error body, for route schemas. */
export const ERROR_RESPONSE_DESCRIPTION =
  "`{ code, message, details? }`: a stable code and a message in the caller's language";

/**
 * Per-field and per-row problems (`details.errors[]`, `details.rows[]` with a `problem` in the service's
 * words) also worded in the caller's language, as `text`, so that a form shows each readably.
 */
function withWordedErrors(details: ErrorDetails, lang: Language): ErrorDetails {
  const word = (list: unknown) =>
    Array.isArray(list) && list.every((e) => e && typeof e === "object" && typeof e.problem === "string")
      ? withProblemText(list as { problem: string }[], lang)
      : list;
  if (!Array.isArray(details.errors) && !Array.isArray(details.rows)) return details;
  return {
    ...details,
    ...(Array.isArray(details.errors) ? { errors: word(details.errors) } : {}),
    ...(Array.isArray(details.rows) ? { rows: word(details.rows) } : {}),
  };
}
