// Identity's adapters and services: sign-in providers, sessions, API tokens and the
// authenticator every protected route and the edge use. main.ts, the sign-in-link command
// and the tests build identity only through this function.
import { githubIdentityProvider } from "../adapters/oauth/github-identity-provider.js";
import { googleIdentityProvider } from "../adapters/oauth/google-identity-provider.js";
import { prismaAccountStore } from "../adapters/persistence/prisma-account-store.js";
import { prismaApiTokenRepository, prismaApiTokenStore } from "../adapters/persistence/prisma-api-token-store.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaLoginLinkStore, prismaRefreshTokenStore } from "../adapters/persistence/prisma-session-store.js";
import type { AuthConfig } from "../config/config.js";
import { deriveKey } from "../config/secrets.js";
import { accessTokenCodec } from "../modules/auth/access-token.js";
import { accountsServiceFactory } from "../modules/auth/accounts.service.js";
import { apiTokensServiceFactory } from "../modules/auth/api-tokens.service.js";
import type { IdentityDeps } from "../modules/auth/auth.routes.js";
import { authenticatorFactory } from "../modules/auth/authenticator.js";
import { sessionServiceFactory } from "../modules/auth/session.service.js";
import { sessionCookies } from "../modules/auth/session-cookies.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { IdentityProvider } from "../ports/identity-provider.port.js";

export interface IdentityOptions {
  db: Db;
  rootSecret: Buffer;
  publicUrl: string;
  auth: AuthConfig;
  /** The installation's one audit log (composition/audit.ts). */
  audit: AuditLog;
}

export async function composeIdentity(opts: IdentityOptions) {
  const { db, auth, audit } = opts;
  const accounts = prismaAccountStore(db);
  const refreshTokens = prismaRefreshTokenStore(db);
  const accessTokens = await accessTokenCodec(deriveKey(opts.rootSecret, "access-token"), {
    isSessionActive: (sid) => refreshTokens.isFamilyActive(sid),
  });
  const providers: IdentityProvider[] = [];
  if (auth.github) providers.push(githubIdentityProvider(auth.github));
  if (auth.google) providers.push(googleIdentityProvider(auth.google));

  const sessions = sessionServiceFactory({
    accessTokens,
    refreshTokens,
    loginLinks: prismaLoginLinkStore(db),
    accounts,
    audit,
    refreshTtlDays: auth.refreshTokenTtlDays,
    publicUrl: opts.publicUrl,
    successorKey: deriveKey(opts.rootSecret, "refresh-successor"),
  });
  const identity: IdentityDeps = {
    providers,
    accounts: accountsServiceFactory({
      accounts,
      audit,
      policy: { signups: auth.signups, emailDomains: auth.signupEmailDomains },
    }),
    sessions,
    users: accounts,
    apiTokens: apiTokensServiceFactory({ tokens: prismaApiTokenRepository(db), audit }),
    rateLimit: auth.rateLimit,
    nonceKey: deriveKey(opts.rootSecret, "oauth-nonce"),
  };
  const authenticator = authenticatorFactory({
    apiTokens: prismaApiTokenStore(db),
    accessTokens,
    sessionCookie: sessionCookies(opts.publicUrl).access,
  });
  return { identity, authenticator, sessions, accessTokens };
}
