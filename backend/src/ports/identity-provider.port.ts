import type { ExternalProfile, ProviderId } from "./account.port.js";

// An OAuth 2.0 / OpenID Connect provider. The authorization-code exchange itself runs in
// the HTTP layer (@fastify/oauth2: state and PKCE cookies); a provider turns the tokens it
// answered into a profile it vouches for.

interface OAuthTokens {
  access_token: string;
  id_token?: string | undefined;
}

export interface IdentityProvider {
  id: ProviderId;
  name: string;
  oauth: { clientId: string; clientSecret: string; authorizeUrl: string; tokenUrl: string; scope: string[] };
  /** OpenID Connect providers bind the ID token to the sign-in attempt with a nonce. */
  usesNonce: boolean;
  /** Throws an IdentityProviderError when the answer cannot be trusted. */
  profile(tokens: OAuthTokens, expected: { nonce?: string }): Promise<ExternalProfile>;
}

export class IdentityProviderError extends Error {
  override name = "IdentityProviderError";
  constructor(
    readonly code: "EMAIL_NOT_VERIFIED" | "ID_TOKEN_INVALID" | "PROVIDER_ERROR",
    message: string,
  ) {
    super(message);
  }
}
