import type { FastifyReply, FastifyRequest } from "fastify";
import type { EdgeRoute } from "../../ports/edge.port.js";
import { withoutPlatformCookies } from "../../shared/platform-cookies.js";
import { type EdgeDecision, type EdgeRequest, hostnameOf, type SetCookie } from "./edge-access.service.js";
import { type EdgePage, renderEdgePage } from "./edge-pages.js";

// The one place an edge access decision becomes an HTTP answer, for every caller: the builtin
// edge, Traefik's forwardAuth and Traefik's offline page. Two copies of this once drifted: the
// Traefik path set SameSite=Lax where the builtin edge set a partitioned SameSite=None cookie,
// so signing in to a preview inside the console's frame worked on the builtin edge only.

type Refusal = Exclude<EdgeDecision, { kind: "proxy" }>;

/** How long a browser is told to wait before it asks again for a project that is waking. */
export const WAKE_RETRY_S = 1;

/**
 * A project still waking when the hold is over: browsers get a small page that reloads itself
 * (shown after ~1.5 s of waiting, and progress on each reload), other clients a 503 with
 * Retry-After so a script can wait and try again.
 */
function wakingPage(route: EdgeRoute): EdgePage {
  return {
    status: 503,
    title: `${route.project.name} is waking up`,
    message: "It was asleep after a while unused and is starting now. This page opens it by itself in a moment.",
    refreshS: WAKE_RETRY_S,
    steps: [
      { label: "Woken up", done: !route.project.sleeping },
      { label: "Its server started", done: route.serviceState === "running" },
      { label: "Its server answers", done: route.serviceHealthy === true },
    ],
  };
}

const isLocalhost = (hostname: string) => hostname === "localhost" || hostname.endsWith(".localhost");

// The console shows the preview in an iframe: a cross-site context, where browsers refuse to
// store SameSite=Lax cookies and the host's sign-in would loop. A partitioned SameSite=None
// cookie works there and is kept apart per embedding site. It must be Secure, which browsers
// accept over https and on http://*.localhost (a secure context); plain http elsewhere keeps Lax.
export function cookieOptions(c: SetCookie, hostname: string) {
  const base = { path: "/", httpOnly: true, maxAge: c.maxAgeS };
  if (c.secure || isLocalhost(hostname)) return { ...base, sameSite: "none" as const, secure: true, partitioned: true };
  return { ...base, sameSite: "lax" as const, secure: false };
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/**
 * The request Traefik forwards to forwardAuth (X-Forwarded-Uri) or routes to the offline page
 * (X-Replaced-Path, with the query kept on the URL): the host, path and method the browser used.
 */
export function forwardedEdgeRequest(req: FastifyRequest, from: "forward-auth" | "offline-page"): EdgeRequest {
  const h = req.headers;
  const query = req.url.includes("?") ? req.url.slice(req.url.indexOf("?")) : "";
  return {
    scheme: one(h["x-forwarded-proto"]) === "http" ? "http" : "https",
    host: one(h["x-forwarded-host"]) ?? (from === "offline-page" ? (h.host ?? "") : ""),
    url: from === "forward-auth" ? (one(h["x-forwarded-uri"]) ?? "/") : `${one(h["x-replaced-path"]) ?? "/"}${query}`,
    method: from === "forward-auth" ? (one(h["x-forwarded-method"]) ?? "GET") : req.method,
    authorization: h.authorization,
    cookies: req.cookies,
  };
}

/** Answers a decision that does not reach the project: a redirect (maybe setting the host cookie), a page, or a 401. */
export function sendRefusal(reply: FastifyReply, decision: Refusal, host: string) {
  reply.header("cache-control", "no-store");
  switch (decision.kind) {
    case "redirect":
      if (decision.setCookie) {
        const c = decision.setCookie;
        reply.setCookie(c.name, c.value, cookieOptions(c, hostnameOf(host)));
      }
      return reply.redirect(decision.location, 302);
    case "wake":
      reply.header("retry-after", String(WAKE_RETRY_S));
      return reply
        .status(503)
        .type("text/html; charset=utf-8")
        .send(renderEdgePage(wakingPage(decision.route)));
    case "page":
      if (decision.page.refreshS) reply.header("refresh", String(decision.page.refreshS));
      return reply.status(decision.page.status).type("text/html; charset=utf-8").send(renderEdgePage(decision.page));
    case "unauthorized":
      return reply
        .status(401)
        .header("www-authenticate", 'Bearer realm="devsanctum"')
        .send({ error: { code: "UNAUTHENTICATED", message: decision.message, requestId: String(reply.request.id) } });
  }
}

/**
 * forwardAuth's "yes": Traefik copies these headers onto the upstream request
 * (authResponseHeaders), replacing what the browser sent: the Cookie header without the
 * platform's host cookie. Never a credential: the decision's own headers (OpenCode's password)
 * are for an edge that proxies itself; OpenCode hosts go to the control plane's edge.
 */
export function sendForwardAuthAllow(
  reply: FastifyReply,
  decision: Extract<EdgeDecision, { kind: "proxy" }>,
  cookieHeader: string | undefined,
  host: string,
) {
  reply.header("cache-control", "no-store");
  const cookie = withoutPlatformCookies(cookieHeader);
  if (cookie) reply.header("cookie", cookie);
  // A renewed host session: Traefik copies it onto the response (addAuthCookiesToResponse).
  if (decision.setCookie) {
    const c = decision.setCookie;
    reply.setCookie(c.name, c.value, cookieOptions(c, hostnameOf(host)));
  }
  return reply.status(200).send();
}
