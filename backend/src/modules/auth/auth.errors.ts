import { DomainError } from "../../shared/errors.js";

export const invalidRefreshToken = (why: string) =>
  new DomainError("unauthorized", "INVALID_REFRESH_TOKEN", `The refresh token was refused: ${why}. Sign in again.`);

export const refreshTokenReused = () =>
  new DomainError(
    "unauthorized",
    "REFRESH_TOKEN_REUSED",
    "This refresh token was already used, so this session has been signed out everywhere it was open. Sign in again.",
  );

export const invalidLoginLink = () =>
  new DomainError(
    "unauthorized",
    "LOGIN_LINK_INVALID",
    "This sign-in link is unknown, used or expired. Print a new one with `pnpm signin-link`.",
  );

/** Sign-in refusals; the code travels to the console as /signin?error=<code>. */
export type SignInRefusal =
  | "SIGNUP_CLOSED"
  | "EMAIL_DOMAIN_NOT_ALLOWED"
  | "EMAIL_NOT_VERIFIED"
  | "OAUTH_STATE_MISMATCH"
  | "ID_TOKEN_INVALID"
  | "PROVIDER_ERROR";

export const signInRefused = (code: SignInRefusal, message: string) => new DomainError("forbidden", code, message);

export const apiTokenNotFound = () => new DomainError("not_found", "API_TOKEN_NOT_FOUND", "No such API token.");
