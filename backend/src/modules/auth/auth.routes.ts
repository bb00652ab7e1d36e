import fastifyRateLimit from "@fastify/rate-limit";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { isSameOriginRequest } from "../../http/csrf.js";
import type { AccountStore } from "../../ports/account.port.js";
import type { Authenticator } from "../../ports/auth.port.js";
import type { IdentityProvider } from "../../ports/identity-provider.port.js";
import { crossOriginRequest, unauthenticated } from "../../shared/auth-errors.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import type { AccountsService } from "./accounts.service.js";
import { apiTokensRoutes } from "./api-tokens.routes.js";
import type { ApiTokensService } from "./api-tokens.service.js";
import { LogoutBody, Me, Providers, RefreshBody, RefreshResult } from "./auth.schemas.js";
import { oauthRoutes } from "./oauth.routes.js";
import type { SessionService } from "./session.service.js";
import { sessionCookies } from "./session-cookies.js";

/** Everything identity needs, built in main.ts. */
export interface IdentityDeps {
  providers: IdentityProvider[];
  accounts: AccountsService;
  sessions: SessionService;
  users: Pick<AccountStore, "findById">;
  apiTokens: ApiTokensService;
  /** Requests per IP and window on the sign-in, refresh and logout endpoints. */
  rateLimit: { max: number; windowS: number };
  nonceKey: Uint8Array;
}

export const identityRoutes: FastifyPluginAsyncZod<
  IdentityDeps & { publicUrl: string; authenticator: Authenticator }
> = async (app, deps) => {
  const cookies = sessionCookies(deps.publicUrl);
  const rateLimit = { max: deps.rateLimit.max, timeWindow: deps.rateLimit.windowS * 1000 };
  // Limits only the routes that ask for one (config.rateLimit); 429 goes through the error
  // handler, so the body keeps the usual shape, and Retry-After says when to come back.
  await app.register(fastifyRateLimit, { global: false });

  const meta = (req: FastifyRequest) => ({ ip: req.ip, userAgent: req.headers["user-agent"] });
  /** Cookie-borne refresh/logout requests must come from the console, like any cookie mutation. */
  const fromCookie = (req: FastifyRequest, bodyToken: string | undefined) => {
    if (bodyToken) return bodyToken;
    const cookie = req.cookies[cookies.refresh];
    if (cookie && !isSameOriginRequest(req, deps.publicUrl)) throw crossOriginRequest();
    return cookie;
  };

  app.get(
    "/auth/providers",
    {
      schema: {
        operationId: "listAuthProviders",
        tags: ["auth"],
        summary: "The sign-in options of this installation",
        response: { 200: Providers },
        security: [],
      },
    },
    async () => ({
      providers: deps.providers.map((p) => ({ id: p.id, name: p.name })),
      bootstrap: deps.providers.length === 0,
    }),
  );

  for (const provider of deps.providers) {
    await app.register(oauthRoutes, {
      provider,
      accounts: deps.accounts,
      sessions: deps.sessions,
      cookies,
      publicUrl: deps.publicUrl,
      nonceKey: deps.nonceKey,
      rateLimit,
    });
  }

  app.get(
    "/auth/bootstrap",
    {
      config: { rateLimit },
      schema: {
        operationId: "redeemSignInLink",
        tags: ["auth"],
        summary: "Sign in with the one-time link printed at start (single use, 15 minutes)",
        querystring: z.object({ token: z.string().min(1).max(200) }),
        response: { 302: z.null().describe("Signed in: redirect to the console"), 400: ErrorBody, 401: ErrorBody },
        security: [],
      },
    },
    async (req, reply) => {
      const session = await deps.sessions.redeemLoginLink(req.query.token, meta(req));
      cookies.set(reply, session);
      return reply.header("cache-control", "no-store").redirect("/", 302);
    },
  );

  app.post(
    "/auth/refresh",
    {
      config: { rateLimit },
      schema: {
        operationId: "refreshSession",
        tags: ["auth"],
        summary: "Trade the refresh token for a new access token (and a new refresh token)",
        description:
          "The console sends its refresh cookie and gets new cookies. API clients send { refreshToken } and get { accessToken, refreshToken, expiresAt }. Every refresh token works once: presenting a used one signs its whole session out (REFRESH_TOKEN_REUSED).",
        body: RefreshBody.nullish(),
        response: { 200: RefreshResult, ...errorResponses, 403: ErrorBody, 429: ErrorBody },
        security: [{ cookieAuth: [] }, {}],
      },
    },
    async (req, reply) => {
      const bodyToken = req.body?.refreshToken;
      const token = fromCookie(req, bodyToken);
      if (!token) throw unauthenticated("Send the refresh cookie, or { refreshToken } in the body.");
      const session = await deps.sessions.refresh(token, meta(req));
      const expiresAt = session.expiresAt.toISOString();
      if (bodyToken) return { expiresAt, accessToken: session.accessToken, refreshToken: session.refreshToken };
      cookies.set(reply, session);
      return { expiresAt };
    },
  );

  app.post(
    "/auth/logout",
    {
      config: { rateLimit },
      schema: {
        operationId: "signOut",
        tags: ["auth"],
        summary: "Sign out this session, or every session of the user with { everywhere: true }",
        description: "Revokes the refresh tokens; access tokens of a revoked session stop working at once.",
        body: LogoutBody.nullish(),
        response: { 204: z.null(), 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody },
        security: [...SECURED, {}],
      },
    },
    async (req, reply) => {
      const refreshToken = fromCookie(req, req.body?.refreshToken);
      const principal = await deps.authenticator
        .authenticate({ authorization: req.headers.authorization, cookies: req.cookies })
        .catch(() => null);
      if (principal && !req.headers.authorization && !isSameOriginRequest(req, deps.publicUrl)) {
        throw crossOriginRequest();
      }
      await deps.sessions.signOut({ refreshToken, principal, everywhere: req.body?.everywhere ?? false }, meta(req));
      cookies.clear(reply);
      return reply.status(204).send(null);
    },
  );

  app.get(
    "/me",
    {
      onRequest: app.requireAuth(),
      schema: {
        operationId: "getMe",
        tags: ["auth"],
        summary: "The signed-in user",
        response: { 200: Me, ...errorResponses },
        security: SECURED,
      },
    },
    async (req) => {
      const user = await deps.users.findById(principalOf(req).userId);
      if (!user) throw unauthenticated("This account no longer exists.");
      return { ...user, createdAt: user.createdAt.toISOString() };
    },
  );

  await app.register(apiTokensRoutes, { apiTokens: deps.apiTokens });
};
