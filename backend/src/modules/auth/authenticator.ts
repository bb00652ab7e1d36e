import type { ApiTokenStore, Authenticator, Credentials, Principal } from "../../ports/auth.port.js";
import { invalidToken } from "../../shared/auth-errors.js";
import { hashToken, isApiToken, parseApiToken } from "./api-token.js";

export interface AccessTokenVerifier {
  /** Verifies a session access token (JWT); throws a DomainError when it is invalid. */
  verify(token: string): Promise<Principal>;
}

function bearer(authorization: string | undefined): string | null {
  if (!authorization) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!m) throw invalidToken("the Authorization header must be 'Bearer <token>'");
  return m[1] as string;
}

/**
 * Resolves the caller from a bearer token: an API token (`dsk_…`) or a session access token.
 * `sessionCookie` names the cookie holding the access token for browser sessions.
 */
export function authenticatorFactory(deps: {
  apiTokens: ApiTokenStore;
  accessTokens?: AccessTokenVerifier;
  sessionCookie?: string;
  now?: () => Date;
}): Authenticator {
  const now = deps.now ?? (() => new Date());
  return {
    async authenticate(credentials: Credentials): Promise<Principal | null> {
      const token =
        bearer(credentials.authorization) ?? (deps.sessionCookie ? credentials.cookies[deps.sessionCookie] : undefined);
      if (!token) return null;
      if (isApiToken(token)) {
        if (!parseApiToken(token)) throw invalidToken("malformed API token");
        const record = await deps.apiTokens.findByHash(hashToken(token));
        if (!record || record.revokedAt) throw invalidToken("unknown or revoked API token");
        const at = now();
        if (record.expiresAt && record.expiresAt <= at) throw invalidToken("this API token has expired");
        await deps.apiTokens.touch(record.id, at);
        return {
          userId: record.userId,
          role: record.role,
          scopes: record.scopes,
          via: "api_token",
          tokenId: record.id,
        };
      }
      if (!deps.accessTokens) throw invalidToken("unknown token type");
      return deps.accessTokens.verify(token);
    },
  };
}
