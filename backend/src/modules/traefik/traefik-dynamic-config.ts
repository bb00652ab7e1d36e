import { createHash } from "node:crypto";
import { wakesOnAccess } from "../../ports/edge.port.js";
import type { PublishedRoute } from "../../ports/route-table.port.js";
import { FORWARD_AUTH_PATH, OFFLINE_PAGE_PATH } from "../../shared/edge-paths.js";

// Route table → Traefik v3 dynamic configuration, as a pure function. Traefik rejects a whole
// document over one bad entry and an empty map, so every rule here errs towards leaving a
// route out (and saying why) rather than emitting something Traefik could refuse.

export const SENTINEL_ROUTER = "devsanctum-sentinel";
const CONTROL_PLANE_SERVICE = "devsanctum-control-plane";
const CONTROL_PLANE_EDGE_SERVICE = "devsanctum-control-plane-edge";
const FORWARD_AUTH_MIDDLEWARE = "devsanctum-forward-auth";
const SECURITY_HEADERS_MIDDLEWARE = "devsanctum-security-headers";
const OFFLINE_PAGE_MIDDLEWARE = "devsanctum-offline-page";
/** Where a router of a project that is not running sends its requests (see traefik.routes.ts). */
/** The sentinel lives on Traefik's internal entrypoint, so it never asks ACME for a certificate. */
export const SENTINEL_ENTRYPOINT = "traefik";
const SENTINEL_RULE = "Path(`/__devsanctum/sentinel`)";
/** The edge's per-host session cookies (modules/edge/app-session.ts appCookieName). */
const HOST_COOKIES = ["__Host-ds_app", "ds_app"] as const;

export interface TraefikRenderOptions {
  /** Only hostnames under this domain are published. */
  appsDomain: string;
  /** How Traefik reaches the control plane (forward-auth, offline pages), e.g. http://control-plane:3000. */
  controlPlaneUrl: string;
  /**
   * How Traefik reaches the control plane's own edge, which serves OpenCode hosts: it adds each
   * OpenCode server's password itself, so no credential is ever in this document or in a
   * forwardAuth answer (Traefik's API, readable from project networks, shows both).
   */
  controlPlaneEdgeUrl: string;
  /** Sent by Traefik in forwardAuth's address: only Traefik may ask for access decisions. */
  forwardAuthKey: string;
  /** Entrypoint of project routers (default websecure). */
  entryPoint?: string;
  /**
   * The certificate every project router names. Routers say it themselves: Traefik applies the
   * entrypoint's TLS defaults only to routers with no `tls` at all. `wildcard` (DNS-01) asks for
   * one `*.<appsDomain>` certificate shared by all routers; without it (HTTP-01) each hostname
   * gets its own. Unset: `tls: {}`, certificates come from elsewhere (a file provider, a default).
   */
  tls?: { certResolver: string; wildcard: boolean };
}

export interface SkippedRoute {
  hostname: string;
  reason: string;
}

export interface TraefikDynamicConfig {
  http: {
    routers: Record<string, TraefikRouter>;
    services: Record<string, TraefikService>;
    middlewares: Record<string, Record<string, unknown>>;
  };
}

interface TraefikRouter {
  entryPoints: string[];
  rule: string;
  service: string;
  middlewares?: string[];
  tls?: { certResolver?: string; domains?: Array<{ main: string; sans: string[] }> };
}

interface TraefikService {
  loadBalancer: {
    servers: Array<{ url: string }>;
    passHostHeader: boolean;
    healthCheck?: { path: string; interval: string; timeout: string };
  };
}

// One DNS name: lowercase labels of letters, digits and inner hyphens. This is also what keeps
// a backtick, a space or a parenthesis out of the Host(`…`) rule.
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const HEALTH_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/**
 * The Traefik name of a hostname's router and service: readable, deterministic, free of `@`
 * (Traefik's provider separator) and of collisions — two hostnames that read alike once dots
 * become hyphens (`a-b.c`, `a.b-c`) still differ by the hash of the exact hostname.
 */
export function routerNameFor(hostname: string): string {
  const readable = hostname
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  const hash = createHash("sha256").update(hostname).digest("hex").slice(0, 12);
  return `route-${readable || "x"}-${hash}`;
}

function validTarget(target: string | null): string | null {
  if (!target) return null;
  try {
    const url = new URL(target);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    if (url.username || url.password) return null;
    return `${url.protocol}//${url.host}`;
  } catch {
    return null;
  }
}

function isLive(route: PublishedRoute): boolean {
  return route.project.desiredState === "running" && route.serviceState === "running";
}

/** Private routes ask the control plane first. */
function isPrivate(route: PublishedRoute): boolean {
  return route.access !== "public";
}

interface RenderContext {
  tls: TraefikRouter["tls"];
  entryPoint: string;
  suffix: string;
  appsDomain: string;
  controlPlaneEdge: string;
}

/** What one route becomes: its router and maybe its own service, or why it is left out. */
type RenderedRoute = { skip: string } | { name: string; router: TraefikRouter; service: TraefikService | null };

function renderRoute(route: PublishedRoute, ctx: RenderContext): RenderedRoute {
  const { hostname } = route;
  if (!DNS_NAME.test(hostname)) return { skip: "not a lowercase DNS name" };
  if (!hostname.endsWith(ctx.suffix)) return { skip: `not under ${ctx.appsDomain}` };
  const { tls, entryPoint } = ctx;
  const name = routerNameFor(hostname);
  const target = validTarget(route.target);
  const rule = `Host(\`${hostname}\`)`;
  if (wakesOnAccess(route)) {
    // Asleep: the control plane's edge decides access, holds the request while the project
    // wakes and forwards it; the next poll after it runs routes straight to its container.
    const router = {
      entryPoints: [entryPoint],
      middlewares: [SECURITY_HEADERS_MIDDLEWARE],
      rule,
      service: CONTROL_PLANE_EDGE_SERVICE,
      tls,
    };
    return { name, router, service: null };
  }
  if (!isLive(route) || !target) {
    // Not running: the control plane answers with the same page the builtin edge shows
    // (stopped with a Start button for its owner, starting, failed), after the same access check.
    const router = {
      entryPoints: [entryPoint],
      middlewares: [SECURITY_HEADERS_MIDDLEWARE, OFFLINE_PAGE_MIDDLEWARE],
      rule,
      service: CONTROL_PLANE_SERVICE,
      tls,
    };
    return { name, router, service: null };
  }
  if (route.kind === "opencode") {
    // The control plane's edge decides access and adds the OpenCode password (see options).
    // A service of its own (to the same edge), so every running route's router names its own
    // service: route verification tells it from the shared one of a sleeping project.
    const router = { entryPoints: [entryPoint], middlewares: [SECURITY_HEADERS_MIDDLEWARE], rule, service: name, tls };
    return {
      name,
      router,
      service: { loadBalancer: { passHostHeader: true, servers: [{ url: ctx.controlPlaneEdge }] } },
    };
  }
  const router = {
    entryPoints: [entryPoint],
    middlewares: isPrivate(route)
      ? [FORWARD_AUTH_MIDDLEWARE, SECURITY_HEADERS_MIDDLEWARE]
      : [SECURITY_HEADERS_MIDDLEWARE],
    rule,
    service: name,
    tls,
  };
  const probe = route.healthCheckPath;
  const healthPath = probe && HEALTH_PATH.test(probe) ? probe : null;
  const service = {
    loadBalancer: {
      ...(healthPath ? { healthCheck: { interval: "10s", path: healthPath, timeout: "3s" } } : {}),
      passHostHeader: true,
      servers: [{ url: target }],
    },
  };
  return { name, router, service };
}

/** What every document holds whatever the table: the sentinel, the control plane's services, the middlewares. */
function baseDocument(opts: TraefikRenderOptions) {
  const controlPlane = opts.controlPlaneUrl.replace(/\/+$/, "");
  const controlPlaneEdge = opts.controlPlaneEdgeUrl.replace(/\/+$/, "");
  const tls: TraefikRouter["tls"] = !opts.tls
    ? {}
    : opts.tls.wildcard
      ? { certResolver: opts.tls.certResolver, domains: [{ main: opts.appsDomain, sans: [`*.${opts.appsDomain}`] }] }
      : { certResolver: opts.tls.certResolver };
  const ctx: RenderContext = {
    tls,
    entryPoint: opts.entryPoint ?? "websecure",
    suffix: `.${opts.appsDomain}`,
    appsDomain: opts.appsDomain,
    controlPlaneEdge,
  };
  // Every object literal here and in renderRoute lists its keys in alphabetical order and the
  // maps are sorted at the end, so plain JSON.stringify is already canonical (a test holds it to
  // canonicalJson).
  const routers: Record<string, TraefikRouter> = {
    [SENTINEL_ROUTER]: { entryPoints: [SENTINEL_ENTRYPOINT], rule: SENTINEL_RULE, service: CONTROL_PLANE_SERVICE },
  };
  const services: Record<string, TraefikService> = {
    [CONTROL_PLANE_SERVICE]: { loadBalancer: { passHostHeader: true, servers: [{ url: controlPlane }] } },
    [CONTROL_PLANE_EDGE_SERVICE]: {
      loadBalancer: { passHostHeader: true, servers: [{ url: controlPlaneEdge }] },
    },
  };
  const middlewares: Record<string, Record<string, unknown>> = {
    [FORWARD_AUTH_MIDDLEWARE]: {
      forwardAuth: {
        // A renewed host session the answer sets goes onto the response to the browser.
        addAuthCookiesToResponse: [...HOST_COOKIES],
        // The key keeps anyone else (project code on a network Traefik shares) from asking.
        address: `${controlPlane}${FORWARD_AUTH_PATH}?key=${encodeURIComponent(opts.forwardAuthKey)}`,
        // Deleted from the request, then copied from the answer (which never carries an
        // Authorization): the caller's bearer token is dropped, the platform's host cookie is
        // removed from Cookie.
        authResponseHeaders: ["Authorization", "Cookie"],
        // Traefik's entrypoint drops X-Forwarded-* from clients it does not trust and sets its
        // own; trusting them here hands the control plane the real scheme, host and URI.
        trustForwardHeader: true,
      },
    },
    [OFFLINE_PAGE_MIDDLEWARE]: { replacePath: { path: OFFLINE_PAGE_PATH } },
    [SECURITY_HEADERS_MIDDLEWARE]: {
      // No frameDeny: the console embeds previews. HSTS without includeSubdomains: the
      // apps domain's owner decides that for the names beside it.
      headers: { contentTypeNosniff: true, referrerPolicy: "strict-origin-when-cross-origin", stsSeconds: 31536000 },
    },
  };
  return { ctx, routers, services, middlewares };
}

const byHostname = (a: PublishedRoute, b: PublishedRoute) =>
  a.hostname < b.hostname ? -1 : a.hostname > b.hostname ? 1 : 0;

export function renderTraefikConfig(
  routes: readonly PublishedRoute[],
  opts: TraefikRenderOptions,
): { config: TraefikDynamicConfig; skipped: SkippedRoute[] } {
  const { ctx, routers, services, middlewares } = baseDocument(opts);
  const skipped: SkippedRoute[] = [];
  for (const route of [...routes].sort(byHostname)) {
    const out = renderRoute(route, ctx);
    if ("skip" in out) {
      skipped.push({ hostname: route.hostname, reason: out.skip });
      continue;
    }
    if (routers[out.name]) {
      skipped.push({ hostname: route.hostname, reason: `router name ${out.name} already taken` });
      continue;
    }
    routers[out.name] = out.router;
    if (out.service) services[out.name] = out.service;
  }
  return {
    config: {
      http: { middlewares: sortedKeys(middlewares), routers: sortedKeys(routers), services: sortedKeys(services) },
    },
    skipped,
  };
}

/** Everything renderRoute reads of a route: an equal key renders an equal fragment. */
const routeKey = (r: PublishedRoute) =>
  `${r.kind}\0${r.access}\0${r.target}\0${r.project.desiredState}\0${r.project.sleeping}\0${r.project.productionIdle}\0${r.serviceState}\0${r.healthCheckPath}`;

interface Fragment {
  /** The row it was rendered from: the provider keeps an unchanged project's rows, so the same object needs no key. */
  route: PublishedRoute;
  key: string;
  out: RenderedRoute;
  /** `"name":{router}` and `"name":{service}` as they appear in the document, in UTF-8. */
  router: Buffer;
  service: Buffer | null;
}

/** One member of a JSON object: its name and its `"name":value` bytes. */
type Member = [name: string, json: Buffer];

const member = (name: string, value: unknown): Member => [
  name,
  Buffer.from(`${JSON.stringify(name)}:${JSON.stringify(value)}`),
];
const byName = (a: Member, b: Member) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/**
 * Sorts an object's members by name. When the names are the ones of the last call (a route
 * changed, none came or went: the common case) each goes where it was, with no comparison.
 */
function memberSorter() {
  let order = new Map<string, number>();
  return (members: Member[]): Member[] => {
    if (members.length === order.size) {
      const placed: Member[] = new Array(members.length);
      let same = true;
      for (const m of members) {
        const i = order.get(m[0]);
        if (i === undefined || placed[i] !== undefined) {
          same = false;
          break;
        }
        placed[i] = m;
      }
      if (same) return placed;
    }
    members.sort(byName);
    order = new Map(members.map(([name], i) => [name, i]));
    return members;
  };
}

const OPEN = Buffer.from("{");
const COMMA = Buffer.from(",");
const CLOSE = Buffer.from("}");

/** Appends `{member,member,…}` to `parts`. */
function pushObject(parts: Buffer[], members: Member[]) {
  parts.push(OPEN);
  members.forEach(([, json], i) => {
    if (i) parts.push(COMMA);
    parts.push(json);
  });
  parts.push(CLOSE);
}

/**
 * The document exactly as serializeTraefikConfig(renderTraefikConfig(…)) writes it, byte for
 * byte, from a renderer that remembers each route's JSON fragment (as bytes) by hostname: a poll
 * after one route changed renders and serializes that route only; the rest is copying bytes in
 * the order of the last document. 10,000 routes: ~15 ms where a whole render takes ~140 ms.
 */
export function traefikDocumentRenderer(opts: TraefikRenderOptions) {
  const base = baseDocument(opts);
  const baseRouters = Object.entries(base.routers).map(([n, r]) => member(n, r));
  const baseServices = Object.entries(base.services).map(([n, s]) => member(n, s));
  const head = Buffer.from(`{"http":{"middlewares":${JSON.stringify(sortedKeys(base.middlewares))},"routers":`);
  const between = Buffer.from(`,"services":`);
  const tail = Buffer.from("}}");
  const sortRouters = memberSorter();
  const sortServices = memberSorter();
  let fragments = new Map<string, Fragment>();

  return (routes: readonly PublishedRoute[]): { body: Buffer; skipped: SkippedRoute[]; published: number } => {
    const next = new Map<string, Fragment>();
    const routers = [...baseRouters];
    const services = [...baseServices];
    const taken = new Set(baseRouters.map(([n]) => n));
    const skipped: SkippedRoute[] = [];
    for (const route of [...routes].sort(byHostname)) {
      let f = fragments.get(route.hostname);
      if (!f || f.route !== route) {
        const key = routeKey(route);
        if (f && f.key === key) f = { ...f, route };
        else {
          const out = renderRoute(route, base.ctx);
          f =
            "skip" in out
              ? { route, key, out, router: Buffer.alloc(0), service: null }
              : {
                  route,
                  key,
                  out,
                  router: member(out.name, out.router)[1],
                  service: out.service ? member(out.name, out.service)[1] : null,
                };
        }
      }
      next.set(route.hostname, f);
      const { out } = f;
      if ("skip" in out) {
        skipped.push({ hostname: route.hostname, reason: out.skip });
        continue;
      }
      if (taken.has(out.name)) {
        skipped.push({ hostname: route.hostname, reason: `router name ${out.name} already taken` });
        continue;
      }
      taken.add(out.name);
      routers.push([out.name, f.router]);
      if (f.service) services.push([out.name, f.service]);
    }
    fragments = next; // a removed route's fragment goes with it
    const parts = [head];
    pushObject(parts, sortRouters(routers));
    parts.push(between);
    pushObject(parts, sortServices(services));
    parts.push(tail);
    return { body: Buffer.concat(parts), skipped, published: routes.length - skipped.length };
  };
}

const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);

function sortedKeys<T>(map: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(map).sort(byKey));
}

/** The document as Traefik gets it: canonical JSON, byte-identical for the same table. */
export function serializeTraefikConfig(config: TraefikDynamicConfig): string {
  return JSON.stringify(config);
}

/** JSON with object keys sorted at every level (the reference serializeTraefikConfig must match). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(byKey))
      : v,
  );
}
