// The refusals every protected route can give (the auth hook throws them, the identity module
// too), so they live where both reach them.
import { DomainError } from "./errors.js";

export const unauthenticated = (message = "Sign in, or send 'Authorization: Bearer <token>'.") =>
  new DomainError("unauthorized", "UNAUTHENTICATED", message);

export const invalidToken = (why: string) =>
  new DomainError("unauthorized", "INVALID_TOKEN", `The bearer token was refused: ${why}.`);

export const insufficientScope = (scope: string) =>
  new DomainError(
    "forbidden",
    "INSUFFICIENT_SCOPE",
    `This API token lacks the '${scope}' scope; create one that has it.`,
  );

export const crossOriginRequest = () =>
  new DomainError(
    "forbidden",
    "CSRF_ORIGIN_MISMATCH",
    "A request authenticated by the session cookie must come from the console (its Origin header did not match).",
  );
