// Domain errors carry a stable, machine-readable code and a kind. Services throw them;
// the HTTP error handler maps the kind to a status (see http/error-handler.ts).
export type ErrorKind =
  | "bad_request"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "precondition_failed"
  | "payload_too_large"
  | "rate_limited"
  | "unavailable";

export class DomainError extends Error {
  override name = "DomainError";
  constructor(
    readonly kind: ErrorKind,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const notFound = (code: string, message: string) => new DomainError("not_found", code, message);
export const conflict = (code: string, message: string) => new DomainError("conflict", code, message);
export const badRequest = (code: string, message: string, details?: unknown) =>
  new DomainError("bad_request", code, message, details);

/** Another user's project is this too: never reveal that it exists. */
export const projectNotFound = () => notFound("PROJECT_NOT_FOUND", "No such project");
