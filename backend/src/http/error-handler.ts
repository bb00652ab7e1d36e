import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from "fastify-type-provider-zod";
import { DomainError, type ErrorKind } from "../shared/errors.js";

// The one table that maps domain error kinds to HTTP statuses.
const STATUS_BY_KIND: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
};

// Fastify's own client errors, renamed to codes a user can search for.
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "BODY_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INVALID_CONTENT_LENGTH",
};

function send(reply: FastifyReply, status: number, code: string, message: string, details?: unknown) {
  return reply
    .status(status)
    .type("application/json; charset=utf-8")
    .send({
      error: { code, message, requestId: String(reply.request.id), ...(details === undefined ? {} : { details }) },
    });
}

/**
 * Fastify's `frameworkErrors`: refusals from the router itself (a URL whose %-encoding is
 * broken) get the same error body as everything else.
 */
export function frameworkError(err: FastifyError, _req: FastifyRequest, reply: FastifyReply) {
  if (err.code === "FST_ERR_BAD_URL") return send(reply, 400, "BAD_URL", "The URL is malformed (bad %-encoding)");
  if (err.statusCode === 414) return send(reply, 414, "URI_TOO_LONG", "A path segment of the URL is too long");
  return send(reply, err.statusCode ?? 400, "BAD_REQUEST", err.message);
}

export function registerErrorHandling(app: FastifyInstance) {
  app.setErrorHandler((err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const fields = err.validation.map((v) => ({
        location: err.validationContext ?? "body",
        path: v.instancePath.replace(/^\//, "").replaceAll("/", ".") || "(root)",
        message: v.message ?? "invalid",
      }));
      const summary = fields.map((f) => `${f.location}.${f.path}: ${f.message}`).join("; ");
      return send(reply, 400, "VALIDATION_FAILED", `Invalid request: ${summary}`, { fields });
    }
    if (err instanceof DomainError) {
      const status = STATUS_BY_KIND[err.kind];
      if (status >= 500) req.log.warn({ code: err.code }, err.message);
      return send(reply, status, err.code, err.message, err.details);
    }
    if (isResponseSerializationError(err)) {
      req.log.error({ err, cause: err.cause }, "response did not match its schema");
      return send(reply, 500, "INTERNAL", "Internal server error");
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code = FASTIFY_CODES[err.code] ?? (status === 429 ? "RATE_LIMITED" : "BAD_REQUEST");
      return send(reply, status, code, err.message);
    }
    // 5xx: log everything, reveal nothing but the request id.
    req.log.error({ err }, "unhandled error");
    return send(reply, status, "INTERNAL", "Internal server error");
  });

  app.setNotFoundHandler((req, reply) =>
    send(reply, 404, "ROUTE_NOT_FOUND", `No route for ${req.method} ${req.url.split("?")[0]}`),
  );
}
