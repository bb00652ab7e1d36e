import { DomainError } from "../../shared/errors.js";

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
