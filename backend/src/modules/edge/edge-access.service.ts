import { type Authenticator, hasScope, type Principal } from "../../ports/auth.port.js";
import type { EdgeRoute, EdgeRouteLookup, UsedCodeLedger } from "../../ports/edge.port.js";
import { AUTH_CALLBACK_PATH } from "../../shared/edge-paths.js";
import { DomainError } from "../../shared/errors.js";
import { safePath } from "../../shared/safe-path.js";
import { type AppSessionCodec, appCookieName, SESSION_TTL_S } from "./app-session.js";
import type { EdgePage } from "./edge-pages.js";

// The one access decision for every project hostname. The builtin edge and Traefik's
// forwardAuth (GET /internal/forward-auth) both turn an EdgeRequest into an EdgeDecision
// here, so the two adapters cannot disagree about who may see what.

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
  | { kind: "proxy"; upstream: string; route: EdgeRoute; headers: Record<string, string>; stripCookie: string }
  | { kind: "redirect"; location: string; setCookie?: SetCookie }
  | { kind: "page"; page: EdgePage }
  | { kind: "unauthorized"; message: string };

export interface EdgeAccessDeps {
  routes: EdgeRouteLookup;
  authenticator: Authenticator;
  sessions: AppSessionCodec;
  /** Each code works once, whichever replica's edge it reaches. */
  usedCodes: UsedCodeLedger;
  appsDomain: string;
  /** Where people reach the control plane (sign-in, the console). */
  publicUrl: string;
  /** Password the OpenCode server of a project expects; injected by the edge, never shown. */
  opencodePassword: (projectId: string) => string;
}

export function hostnameOf(host: string): string {
  return host.toLowerCase().replace(/:\d+$/, "").replace(/\.$/, "");
}

/** A Cookie header without the platform's own cookie `name`; undefined when nothing is left. */
export function withoutCookie(header: string | undefined, name: string): string | undefined {
  const kept = (header ?? "")
    .split(";")
    .map((c) => c.trim())
    .filter((c) => c && !c.startsWith(`${name}=`));
  return kept.length ? kept.join("; ") : undefined;
}

/** Owner routes: the owner, or an admin. OpenCode can run shell commands: its owner only. */
function canAccess(route: EdgeRoute, principal: Principal | null): boolean {
  if (route.kind !== "opencode" && route.access === "public") return true;
  if (!principal) return false;
  if (principal.via === "api_token" && !hasScope(principal, "projects:read")) return false;
  if (route.kind !== "opencode" && route.access === "authenticated") return true;
  if (principal.userId === route.project.ownerId) return true;
  return route.kind !== "opencode" && principal.role === "admin";
}

const unknownHost: EdgePage = {
  status: 404,
  title: "Nothing here",
  message: "No project answers at this address. Check the link, or open the console to see your projects.",
};

export function edgeAccessServiceFactory(deps: EdgeAccessDeps) {
  const suffix = `.${deps.appsDomain}`;

  const consoleUrl = (path: string) => `${deps.publicUrl}${path}`;

  async function principalFor(req: EdgeRequest, host: string): Promise<Principal | null | "invalid"> {
    if (req.authorization) {
      try {
        return await deps.authenticator.authenticate({ authorization: req.authorization, cookies: {} });
      } catch (err) {
        if (err instanceof DomainError && err.kind === "unauthorized") return "invalid";
        throw err;
      }
    }
    const cookie = req.cookies[appCookieName(req.scheme)];
    if (!cookie) return null;
    const session = await deps.sessions.verifySession(cookie, host);
    return session ? { userId: session.userId, role: session.role, scopes: "all", via: "session" } : null;
  }

  async function exchangeCode(req: EdgeRequest, host: string): Promise<EdgeDecision> {
    const params = new URL(req.url, "http://x").searchParams;
    const code = await deps.sessions.verifyCode(params.get("code") ?? "", host);
    if (!code || !(await deps.usedCodes.claim(code.jti, new Date(code.exp * 1000)))) {
      return {
        kind: "page",
        page: {
          status: 400,
          title: "This sign-in link has expired",
          message: "Sign-in links work once, for a minute. Open the address again to get a fresh one.",
          action: { label: "Try again", href: safePath(params.get("next") ?? undefined) },
        },
      };
    }
    const secure = req.scheme === "https";
    const value = await deps.sessions.mintSession(code.userId, host, code.role);
    return {
      kind: "redirect",
      location: safePath(params.get("next") ?? undefined),
      setCookie: { name: appCookieName(req.scheme), value, maxAgeS: SESSION_TTL_S, secure },
    };
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
      if (!host.endsWith(suffix) || host.length === suffix.length) return { kind: "page", page: unknownHost };
      const path = new URL(req.url, "http://x").pathname;
      if (path === AUTH_CALLBACK_PATH) return exchangeCode(req, host);

      const route = await deps.routes.findByHostname(host);
      if (!route) return { kind: "page", page: unknownHost };

      const principal = await principalFor(req, host);
      if (principal === "invalid") return { kind: "unauthorized", message: "The bearer token was refused." };
      if (!canAccess(route, principal)) {
        if (principal) return { kind: "page", page: unknownHost }; // never reveal another user's project
        if (req.method !== "GET" && req.method !== "HEAD") {
          return { kind: "unauthorized", message: "Sign in first, or send 'Authorization: Bearer <token>'." };
        }
        const origin = `${req.scheme}://${req.host}`;
        const q = new URLSearchParams({ origin, next: safePath(req.url) });
        return { kind: "redirect", location: consoleUrl(`/api/v1/app-auth/authorize?${q}`) };
      }

      const blocked = stateDecision(route, principal);
      if (blocked) return blocked;
      const headers: Record<string, string> = {};
      if (route.kind === "opencode") {
        const basic = Buffer.from(`opencode:${deps.opencodePassword(route.project.id)}`).toString("base64");
        headers.authorization = `Basic ${basic}`;
      }
      return {
        kind: "proxy",
        upstream: route.target as string,
        route,
        headers,
        stripCookie: appCookieName(req.scheme),
      };
    },

    /**
     * Control-plane side of the redirect: a signed-in person asks for a code for `origin`.
     * Returns where to send the browser next.
     */
    async authorize(input: { origin: string; next: string; principal: Principal | null; selfUrl: string }) {
      let origin: URL;
      try {
        origin = new URL(input.origin);
      } catch {
        throw new DomainError("bad_request", "INVALID_ORIGIN", "origin must be an http(s) URL of a project host");
      }
      const host = hostnameOf(origin.host);
      if (!/^https?:$/.test(origin.protocol) || !host.endsWith(suffix)) {
        throw new DomainError(
          "bad_request",
          "INVALID_ORIGIN",
          `origin must be a project host under ${deps.appsDomain}`,
        );
      }
      if (!input.principal) {
        return { location: consoleUrl(`/signin?next=${encodeURIComponent(input.selfUrl)}`) };
      }
      const route = await deps.routes.findByHostname(host);
      if (!route || !canAccess(route, input.principal)) {
        throw new DomainError("not_found", "APP_NOT_FOUND", "No project you can open answers at this address.");
      }
      const code = await deps.sessions.mintCode(input.principal.userId, host, input.principal.role);
      const q = new URLSearchParams({ code, next: safePath(input.next) });
      return { location: `${origin.protocol}//${origin.host}${AUTH_CALLBACK_PATH}?${q}` };
    },
  };
}

export type EdgeAccessService = ReturnType<typeof edgeAccessServiceFactory>;
