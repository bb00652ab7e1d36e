import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import fastifyOauth2, { type OAuth2Namespace } from "@fastify/oauth2";
import type { FastifyRequest } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { type IdentityProvider, IdentityProviderError } from "../../ports/identity-provider.port.js";
import { DomainError } from "../../shared/errors.js";
import { safePath } from "../../shared/safe-path.js";
import type { AccountsService } from "./accounts.service.js";
import type { SignInRefusal } from "./auth.errors.js";
import type { SessionService } from "./session.service.js";
import type { SessionCookies } from "./session-cookies.js";

// The browser half of sign-in: /start redirects to the provider, /callback receives the
// code. @fastify/oauth2 keeps the state and the PKCE verifier in short-lived cookies and
// exchanges the code. Our state also carries where to return afterwards, and OpenID
// providers get a nonce derived from it, so an ID token only fits the attempt it was
// issued for.

export interface OAuthRoutesOptions {
  provider: IdentityProvider;
  accounts: AccountsService;
  sessions: SessionService;
  cookies: SessionCookies;
  publicUrl: string;
  /** Key for the nonce derived from the state. */
  nonceKey: Uint8Array;
  rateLimit: { max: number; timeWindow: number };
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const unb64 = (s: string) => Buffer.from(s, "base64url").toString("utf8");

function sameString(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export const oauthRoutes: FastifyPluginAsyncZod<OAuthRoutesOptions> = async (app, opts) => {
  const { provider, cookies } = opts;
  const name = `oauth2_${provider.id}`;
  const stateCookie = `${cookies.secure ? "__Host-" : ""}ds_oauth_state_${provider.id}`;
  const verifierCookie = `${cookies.secure ? "__Host-" : ""}ds_oauth_verifier_${provider.id}`;
  const stateOf = (req: FastifyRequest) => (req.query as { state?: string }).state;
  const stateMatches = (req: FastifyRequest) => sameString(req.cookies[stateCookie], stateOf(req));
  const nonceFor = (state: string) => createHmac("sha256", opts.nonceKey).update(state).digest("base64url");
  const authorize = new URL(provider.oauth.authorizeUrl);
  const token = new URL(provider.oauth.tokenUrl);

  await app.register(fastifyOauth2, {
    name,
    scope: provider.oauth.scope,
    credentials: {
      client: { id: provider.oauth.clientId, secret: provider.oauth.clientSecret },
      auth: {
        authorizeHost: authorize.origin,
        authorizePath: authorize.pathname,
        tokenHost: token.origin,
        tokenPath: token.pathname,
      },
      options: { authorizationMethod: "body" },
    },
    callbackUri: `${opts.publicUrl}/api/v1/auth/${provider.id}/callback`,
    pkce: "S256",
    redirectStateCookieName: stateCookie,
    verifierCookieName: verifierCookie,
    cookie: { secure: cookies.secure, path: "/", sameSite: "lax", httpOnly: true, maxAge: 600 },
    // state = <random>.<return path>: the cookie binds it to this browser.
    generateStateFunction: (req: FastifyRequest) => {
      const next = safePath((req.query as { next?: string }).next);
      return `${randomBytes(24).toString("base64url")}.${b64(next)}`;
    },
    checkStateFunction: (req: FastifyRequest) => stateMatches(req),
  });
  const oauth = app.getDecorator<OAuth2Namespace>(name);

  const refuse = (code: SignInRefusal | "ACCESS_DENIED") => `/signin?error=${code}`;

  app.get(
    `/auth/${provider.id}/start`,
    {
      config: { rateLimit: opts.rateLimit },
      schema: {
        operationId: `start${provider.name}SignIn`,
        tags: ["auth"],
        summary: `Sign in with ${provider.name} (redirects to ${provider.name})`,
        querystring: z.object({
          next: z.string().max(2000).optional().describe("Console path to return to afterwards, e.g. /projects"),
        }),
        response: { 302: z.null().describe(`Redirect to ${provider.name}`) },
        security: [],
      },
    },
    async (req, reply) => {
      const url = new URL(await oauth.generateAuthorizationUri(req, reply));
      const state = url.searchParams.get("state") ?? "";
      if (provider.usesNonce) url.searchParams.set("nonce", nonceFor(state));
      return reply.header("cache-control", "no-store").redirect(url.toString(), 302);
    },
  );

  app.get(
    `/auth/${provider.id}/callback`,
    {
      config: { rateLimit: opts.rateLimit },
      schema: {
        operationId: `finish${provider.name}SignIn`,
        tags: ["auth"],
        summary: `Where ${provider.name} sends the browser back; sets the session cookies`,
        description:
          "Redirects to the requested console path, or to /signin?error=<CODE> (OAUTH_STATE_MISMATCH, EMAIL_NOT_VERIFIED, SIGNUP_CLOSED, EMAIL_DOMAIN_NOT_ALLOWED, ID_TOKEN_INVALID, PROVIDER_ERROR, ACCESS_DENIED).",
        querystring: z.object({
          code: z.string().max(2000).optional(),
          state: z.string().max(3000).optional(),
          error: z.string().max(200).optional(),
        }),
        response: { 302: z.null().describe("Redirect to the console") },
        security: [],
      },
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      const state = req.query.state ?? "";
      if (!stateMatches(req)) {
        req.log.warn({ provider: provider.id }, "OAuth callback with a state this browser did not start");
        return reply.redirect(refuse("OAUTH_STATE_MISMATCH"), 302);
      }
      if (req.query.error || !req.query.code) return reply.redirect(refuse("ACCESS_DENIED"), 302);
      try {
        const { token: tokens } = await oauth.getAccessTokenFromAuthorizationCodeFlow(req, reply);
        const profile = await provider.profile(
          { access_token: tokens.access_token, id_token: tokens.id_token as string | undefined },
          provider.usesNonce ? { nonce: nonceFor(state) } : {},
        );
        const user = await opts.accounts.resolve(profile, { ip: req.ip });
        const session = await opts.sessions.start(user, provider.id, {
          ip: req.ip,
          userAgent: req.headers["user-agent"],
        });
        cookies.set(reply, session);
        const next = safePath(unb64(state.slice(state.indexOf(".") + 1)));
        return reply.redirect(next, 302);
      } catch (err) {
        if (err instanceof IdentityProviderError || (err instanceof DomainError && err.kind === "forbidden")) {
          req.log.warn({ provider: provider.id, code: err.code }, err.message);
          return reply.redirect(refuse(err.code as SignInRefusal), 302);
        }
        // The token endpoint refused the code (expired, replayed, wrong verifier) or is down.
        req.log.warn({ err, provider: provider.id }, "OAuth code exchange failed");
        return reply.redirect(refuse("PROVIDER_ERROR"), 302);
      }
    },
  );
};
