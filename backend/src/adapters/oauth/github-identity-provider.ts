import type { OAuthClientConfig } from "../../config/config.js";
import { type IdentityProvider, IdentityProviderError } from "../../ports/identity-provider.port.js";

// GitHub OAuth app. The profile comes from the REST API; the email from /user/emails,
// because the profile's public email may be unset or unverified. Only the primary,
// verified address is trusted (it links accounts across providers).

interface GithubUser {
  id: number;
  login: string;
  name: string | null;
  avatar_url: string | null;
}
interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

export function githubIdentityProvider(config: OAuthClientConfig & { apiUrl: string }): IdentityProvider {
  const get = async <T>(path: string, accessToken: string): Promise<T> => {
    const res = await fetch(`${config.apiUrl}${path}`, {
      headers: {
        authorization: `Bearer ${accessToken}`,
        accept: "application/vnd.github+json",
        "user-agent": "DevSanctum",
      },
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new IdentityProviderError("PROVIDER_ERROR", `GitHub answered ${res.status} for ${path}`);
    return (await res.json()) as T;
  };
  return {
    id: "github",
    name: "GitHub",
    oauth: { ...config, scope: ["read:user", "user:email"] },
    usesNonce: false,
    async profile(tokens) {
      const [user, emails] = await Promise.all([
        get<GithubUser>("/user", tokens.access_token),
        get<GithubEmail[]>("/user/emails", tokens.access_token),
      ]);
      const primary = emails.find((e) => e.primary && e.verified);
      if (!primary) {
        throw new IdentityProviderError("EMAIL_NOT_VERIFIED", "Your GitHub account has no verified primary email.");
      }
      return {
        provider: "github",
        providerUserId: String(user.id),
        email: primary.email.toLowerCase(),
        name: user.name ?? user.login,
        avatarUrl: user.avatar_url,
      };
    },
  };
}
