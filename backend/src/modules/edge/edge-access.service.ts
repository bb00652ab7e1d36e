import { type Authenticator, hasScope, type Principal, type PrincipalResolver, refOf } from "../../ports/auth.port.js";
import {
  type EdgeOrigin,
  type EdgeRoute,
  type EdgeRouteLookup,
  type UsedCodeLedger,
  wakesOnAccess,
} from "../../ports/edge.port.js";
import { AUTH_CALLBACK_PATH } from "../../shared/edge-paths.js";
import { DomainError } from "../../shared/errors.js";
import { safePath } from "../../shared/safe-path.js";
import { type AppSessionCodec, appCookieName, SESSION_TTL_S } from "./app-session.js";
import { matchEdgeOrigin, requestOrigin } from "./edge-origins.js";
import type { EdgePage } from "./edge-pages.js";
import { cachedPrincipals, hostSessions } from "./host-sessions.js";

// The one access decision for every project hostname. The builtin edge and Traefik's
// forwardAuth both turn an EdgeRequest into an EdgeDecision here, so the two adapters cannot
// disagree about who may see what.

export interface EdgeRequest {
  scheme: "http" | "https";
  /** Host header as sent, possibly with a port. */
  host: string;
  /** Path and query. */
  url: string;
  method: string;
  authorization?: string | undefined;
  cookies: Record<string, string | undefined>;
}

export interface SetCookie {
  name: string;
  value: string;
  maxAgeS: number;
  secure: boolean;
}

export type EdgeDecision =
  | {
      kind: "proxy";
      upstream: string;
      route: EdgeRoute;
      headers: Record<string, string>;
      /** A renewed host session to set on the response. */
      setCookie?: SetCookie;
    }
  | { kind: "redirect"; location: string; setCookie?: SetCookie }
  | { kind: "page"; page: EdgePage }
  /** Asleep, and the caller may open it: the edge wakes it and holds the request (issue #15). */
  | { kind: "wake"; route: EdgeRoute }
  | { kind: "unauthorized"; message: string };

export interface EdgeAccessDeps {
  routes: EdgeRouteLookup;
  authenticator: Authenticator;
  /** The principal behind a host session, as it is now (sign-out and revocation end it). */
  principals: PrincipalResolver;
  sessions: AppSessionCodec;
  /** Each code works once, whichever replica's edge it reaches. */
  usedCodes: UsedCodeLedger;
  appsDomain: string;
  /** The schemes and ports the edge serves project hosts on: sign-in codes go there only. */
  origins: readonly EdgeOrigin[];
  /** Where people reach the control plane (sign-in, the console). */
  publicUrl: string;
  /** Password the OpenCode server of a project expects; injected by the edge, never shown. */
  opencodePassword: (projectId: string) => Promise<string>;
  /** How long the principal behind a host session is trusted before it is read again (5 s). */
  principalCacheMs?: number;
  now?: () => number;
  /** A wake this process started is under way: requests keep waiting on it rather than see "starting". */
  waking?: (projectId: string) => boolean;
}

export function hostnameOf(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

/**
 * Owner routes: the owner, or an admin. OpenCode can run shell commands: its owner only, with
 * write access (an API token needs projects:write; projects:read once drove it).
 */
function canAccess(route: EdgeRoute, principal: Principal | null): boolean {
  if (route.kind !== "opencode" && route.access === "public") return true;
  if (!principal) return false;
  if (!hasScope(principal, route.kind === "opencode" ? "projects:write" : "projects:read")) return false;
  if (route.kind !== "opencode" && route.access === "authenticated") return true;
  if (principal.userId === route.project.ownerId) return true;
  return route.kind !== "opencode" && principal.role === "admin";
}

/** A word every URL whose path is AUTH_CALLBACK_PATH contains as it is written. */
const CALLBACK_SEGMENT = AUTH_CALLBACK_PATH.split("/")[1] as string;

const unknownHost: EdgePage = {
  status: 404,
  title: "Nothing here",
  message: "No project answers at this address. Check the link, or open the console to see your projects.",
};

const expiredCode = (next: string | null): EdgeDecision => ({
  kind: "page",
  page: {
    status: 400,
    title: "This sign-in link has expired",
    message: "Sign-in links work once, for a minute. Open the address again to get a fresh one.",
    action: { label: "Try again", href: safePath(next) },
  },
});

export function edgeAccessServiceFactory(deps: EdgeAccessDeps) {
  const suffix = `.${deps.appsDomain}`;
  const isProjectHost = (host: string) => host.endsWith(suffix) && host.length > suffix.length;
  const consoleUrl = (path: string) => `${deps.publicUrl}${path}`;
  const sessions = hostSessions({
    codec: deps.sessions,
    principals: cachedPrincipals(deps.principals, {
      ttlMs: deps.principalCacheMs ?? 5000,
      ...(deps.now ? { now: deps.now } : {}),
    }),
    ...(deps.now ? { now: deps.now } : {}),
  });
  const hostCookie = (req: EdgeRequest, value: string): SetCookie => ({
    name: appCookieName(req.scheme),
    value,
    maxAgeS: SESSION_TTL_S,
    secure: req.scheme === "https",
  });

  async function principalFor(req: EdgeRequest, host: string) {
    if (req.authorization) {
      try {
        return { principal: await deps.authenticator.authenticate({ authorization: req.authorization, cookies: {} }) };
      } catch (err) {
        if (err instanceof DomainError && err.kind === "unauthorized") return "invalid" as const;
        throw err;
      }
    }
    const cookie = req.cookies[appCookieName(req.scheme)];
    const session = cookie ? await sessions.fromCookie(cookie, host) : null;
    return { principal: session?.principal ?? null, renewed: session?.renewed };
  }

  async function exchangeCode(req: EdgeRequest, host: string): Promise<EdgeDecision> {
    const params = new URL(req.url, "http://x").searchParams;
    const origin = requestOrigin(req.scheme, req.host);
    const redeemed = origin ? await sessions.fromCode(params.get("code") ?? "", origin, host) : null;
    if (!redeemed || !(await deps.usedCodes.claim(redeemed.jti, new Date(redeemed.exp * 1000)))) {
      return expiredCode(params.get("next"));
    }
    return { kind: "redirect", location: safePath(params.get("next")), setCookie: hostCookie(req, redeemed.cookie) };
  }

  function stateDecision(route: EdgeRoute, principal: Principal | null): EdgeDecision | null {
    const isOwner = principal?.userId === route.project.ownerId;
    const projectPage = consoleUrl(`/projects/${route.project.id}`);
    if (route.project.desiredState === "stopped") {
      return {
        kind: "page",
        page: {
          status: 503,
          title: `${route.project.name} is stopped`,
          message: isOwner
            ? "Start it from the console; this page reloads into the project once it runs."
            : "Its owner has stopped this project.",
          ...(isOwner ? { action: { label: "Start project", href: `${projectPage}?action=start` } } : {}),
          refreshS: 3,
        },
      };
    }
    if (route.project.desiredState === "deleted") return { kind: "page", page: unknownHost };
    if (wakesOnAccess(route)) return { kind: "wake", route };
    if (route.kind !== "production" && deps.waking?.(route.project.id) && route.project.status !== "failed") {
      return { kind: "wake", route };
    }
    if (!route.target || route.serviceState !== "running") {
      const failed = route.project.status === "failed";
      return {
        kind: "page",
        page: {
          status: 503,
          title: failed ? `${route.project.name} failed to start` : `${route.project.name} is starting`,
          message: failed
            ? "Its container stopped with an error. The console shows the logs and can restart it."
            : "The project's server is not up yet. This usually takes a few seconds: reload the page.",
          ...(isOwner ? { action: { label: "Open in console", href: projectPage } } : {}),
          // A starting project comes up by itself (the console's preview frame relies on it).
          ...(failed ? {} : { refreshS: 2 }),
        },
      };
    }
    return null;
  }

  return {
    async decide(req: EdgeRequest): Promise<EdgeDecision> {
      const host = hostnameOf(req.host);
      if (!isProjectHost(host)) return { kind: "page", page: unknownHost };
      // Parsed only when it can be the callback (a URL parser per proxied request is measurable):
      // the parser resolves dot segments but decodes no letters, so the name is always literal.
      if (req.url.includes(CALLBACK_SEGMENT) && new URL(req.url, "http://x").pathname === AUTH_CALLBACK_PATH) {
        return exchangeCode(req, host);
      }

      const route = await deps.routes.findByHostname(host);
      if (!route) return { kind: "page", page: unknownHost };

      const caller = await principalFor(req, host);
      if (caller === "invalid") return { kind: "unauthorized", message: "The bearer token was refused." };
      const { principal } = caller;
      if (!canAccess(route, principal)) {
        if (principal) return { kind: "page", page: unknownHost }; // never reveal another user's project
        if (req.method !== "GET" && req.method !== "HEAD") {
          return { kind: "unauthorized", message: "Sign in first, or send 'Authorization: Bearer <token>'." };
        }
        const q = new URLSearchParams({ origin: requestOrigin(req.scheme, req.host) ?? "", next: safePath(req.url) });
        return { kind: "redirect", location: consoleUrl(`/api/v1/app-auth/authorize?${q}`) };
      }

      const blocked = stateDecision(route, principal);
      if (blocked) return blocked;
      const headers: Record<string, string> = {};
      if (route.kind === "opencode") {
        const basic = Buffer.from(`opencode:${await deps.opencodePassword(route.project.id)}`).toString("base64");
        headers.authorization = `Basic ${basic}`;
      }
      return {
        kind: "proxy",
        upstream: route.target as string,
        route,
        headers,
        ...("renewed" in caller && caller.renewed ? { setCookie: hostCookie(req, caller.renewed) } : {}),
      };
    },

    /**
     * Control-plane side of the redirect: a signed-in person asks for a code for `origin`, which
     * must be a project host on one of the edge's own origins. Returns where to send the browser.
     */
    async authorize(input: { origin: string; next: string; principal: Principal | null; selfUrl: string }) {
      const edgeOrigin = matchEdgeOrigin(input.origin, deps.origins);
      if (!edgeOrigin || !isProjectHost(edgeOrigin.hostname)) {
        const served = deps.origins.map((o) => `${o.scheme} on port ${o.port}`).join(", ");
        throw new DomainError(
          "bad_request",
          "INVALID_ORIGIN",
          `origin must be a project host under ${deps.appsDomain} as the edge serves it (${served})`,
        );
      }
      if (!input.principal) {
        return { location: consoleUrl(`/signin?next=${encodeURIComponent(input.selfUrl)}`) };
      }
      const route = await deps.routes.findByHostname(edgeOrigin.hostname);
      const ref = refOf(input.principal);
      if (!route || !ref || !canAccess(route, input.principal)) {
        throw new DomainError("not_found", "APP_NOT_FOUND", "No project you can open answers at this address.");
      }
      const code = await deps.sessions.mintCode(ref, edgeOrigin.origin);
      const q = new URLSearchParams({ code, next: safePath(input.next) });
      return { location: `${edgeOrigin.origin}${AUTH_CALLBACK_PATH}?${q}` };
    },
  };
}

export type EdgeAccessService = ReturnType<typeof edgeAccessServiceFactory>;
