import type { FastifyRequest } from "fastify";
import { DomainError } from "../shared/errors.js";

// A NUL character (U+0000) in a name, prompt or token name reached PostgreSQL, which refuses it
// in text: a 500. Every request's body, query and path parameters are checked before validation.

/** Where the first NUL is ("body.name", "query.q"), or null. */
function findNul(value: unknown, at: string, depth = 0): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? at : null;
  if (depth > 32 || value === null || typeof value !== "object") return null;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes("\u0000")) return at;
    const found = findNul(v, Array.isArray(value) ? `${at}[${k}]` : `${at}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/** Throws a 400 when the request carries a NUL character anywhere. */
export function refuseNulCharacters(req: FastifyRequest): void {
  const where =
    findNul(req.params, "params") ??
    findNul(req.query, "query") ??
    (req.body !== null && typeof req.body === "object" && !isStream(req.body) ? findNul(req.body, "body") : null) ??
    (typeof req.body === "string" ? findNul(req.body, "body") : null);
  if (where) {
    throw new DomainError(
      "bad_request",
      "CONTROL_CHARACTER",
      `${where} contains a NUL character (U+0000), which cannot be stored; remove it and try again`,
    );
  }
}

const isStream = (v: object) => typeof (v as { pipe?: unknown }).pipe === "function";
