import { createRemoteJWKSet, jwtVerify } from "jose";
import type { OAuthClientConfig } from "../../config/config.js";
import { type IdentityProvider, IdentityProviderError } from "../../ports/identity-provider.port.js";

// Google as an OpenID Connect provider: everything comes from the ID token, verified
// against Google's published keys (signature), issuer, audience (our client id), expiry
// and the nonce of this sign-in attempt.

export function googleIdentityProvider(
  config: OAuthClientConfig & { issuer: string; jwksUrl: string },
): IdentityProvider {
  // jose caches the key set and refetches it when a token names an unknown key id.
  const jwks = createRemoteJWKSet(new URL(config.jwksUrl), { timeoutDuration: 10_000 });
  // Google documents both spellings of its issuer.
  const issuers =
    config.issuer === "https://accounts.google.com" ? [config.issuer, "accounts.google.com"] : [config.issuer];
  return {
    id: "google",
    name: "Google",
    oauth: { ...config, scope: ["openid", "email", "profile"] },
    usesNonce: true,
    async profile(tokens, expected) {
      if (!tokens.id_token) throw new IdentityProviderError("ID_TOKEN_INVALID", "Google sent no ID token.");
      let claims: Record<string, unknown>;
      try {
        ({ payload: claims } = await jwtVerify(tokens.id_token, jwks, {
          issuer: issuers,
          audience: config.clientId,
          algorithms: ["RS256"],
          requiredClaims: ["sub", "exp", "iat"],
        }));
      } catch (err) {
        throw new IdentityProviderError(
          "ID_TOKEN_INVALID",
          `The Google ID token was refused: ${(err as Error).message}`,
        );
      }
      if (!expected.nonce || claims.nonce !== expected.nonce) {
        throw new IdentityProviderError("ID_TOKEN_INVALID", "The Google ID token belongs to another sign-in attempt.");
      }
      if (claims.email_verified !== true || typeof claims.email !== "string") {
        throw new IdentityProviderError("EMAIL_NOT_VERIFIED", "Your Google account's email is not verified.");
      }
      return {
        provider: "google",
        providerUserId: String(claims.sub),
        email: claims.email.toLowerCase(),
        name: typeof claims.name === "string" ? claims.name : null,
        avatarUrl: typeof claims.picture === "string" ? claims.picture : null,
      };
    },
  };
}
