// The pure renderer: route table → Traefik v3 dynamic configuration. Golden output, the shared
// JSON Schema, and the rules that keep Traefik from rejecting the whole document.
import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  canonicalJson,
  renderTraefikConfig,
  routerNameFor,
  SENTINEL_ROUTER,
  serializeTraefikConfig,
  type TraefikRenderOptions,
  traefikDocumentRenderer,
} from "../src/modules/traefik/traefik-dynamic-config.js";
import type { PublishedRoute } from "../src/ports/route-table.port.js";
import { traefikSchemaValidator } from "./helpers/traefik-schema.js";

const OPTS: TraefikRenderOptions = {
  appsDomain: "apps.example.com",
  controlPlaneUrl: "http://control-plane:3000/",
  controlPlaneEdgeUrl: "http://control-plane:8080",
  forwardAuthKey: "k3y",
};
const GOLDEN = new URL("./fixtures/traefik-dynamic.golden.json", import.meta.url);
const validate = traefikSchemaValidator();

const AWAKE = { desiredState: "running", sleeping: false, productionIdle: false } as const;
const ASLEEP = { id: "00000000-0000-4000-8000-000000000004", slug: "delta", ...AWAKE, sleeping: true };

function route(hostname: string, over: Partial<PublishedRoute> = {}): PublishedRoute {
  return {
    hostname,
    kind: "preview",
    access: "owner",
    target: "http://ds-alpha-preview:5173",
    project: { ...AWAKE, id: "00000000-0000-4000-8000-000000000001", slug: "alpha" },
    serviceState: "running",
    healthCheckPath: null,
    ...over,
  };
}

// One of each case the renderer distinguishes.
const FIXTURE: PublishedRoute[] = [
  route("alpha--preview.apps.example.com", { healthCheckPath: "/" }),
  route("alpha--opencode.apps.example.com", {
    kind: "opencode",
    access: "public", // ignored: OpenCode is always private
    target: "http://ds-alpha-opencode:4096",
    healthCheckPath: "/global/health",
  }),
  route("alpha.apps.example.com", { kind: "production", access: "public", target: "http://ds-alpha-production:3000" }),
  route("bravo--preview.apps.example.com", {
    project: { ...AWAKE, id: "00000000-0000-4000-8000-000000000002", slug: "bravo", desiredState: "stopped" },
    serviceState: "exited",
  }),
  route("charlie--preview.apps.example.com", { access: "authenticated", target: null, serviceState: "absent" }),
  // Asleep (issue #15): its dev hosts wake through the control plane's edge; production serves on.
  route("delta--preview.apps.example.com", { project: ASLEEP, target: "http://ds-delta-preview:5173" }),
  route("delta.apps.example.com", {
    project: ASLEEP,
    kind: "production",
    access: "public",
    target: "http://ds-delta:3000",
  }),
  route("echo.apps.example.com", {
    project: { ...ASLEEP, id: "00000000-0000-4000-8000-000000000005", slug: "echo", productionIdle: true },
    kind: "production",
    access: "public",
    serviceState: "exited",
    target: "http://ds-echo:3000",
  }),
];

const render = (routes: PublishedRoute[], opts = OPTS) => renderTraefikConfig(routes, opts);

describe("Traefik dynamic configuration", () => {
  it("renders the fixture table to the committed golden document, valid against Traefik's schema", () => {
    const { config, skipped } = render(FIXTURE, { ...OPTS, tls: { certResolver: "le", wildcard: true } });
    expect(skipped).toEqual([]);
    expect(validate(config)).toEqual([]);
    // Compared in canonical form: the committed file is formatted by Biome like any other JSON.
    // UPDATE_GOLDEN=1 rewrites it after a deliberate change to the renderer (review the diff).
    if (process.env.UPDATE_GOLDEN) writeFileSync(GOLDEN, `${JSON.stringify(config, null, 2)}\n`);
    expect(canonicalJson(config)).toBe(canonicalJson(JSON.parse(readFileSync(GOLDEN, "utf8"))));
  });

  it("routes running services to their endpoint, private ones through forward-auth", () => {
    const { http } = render(FIXTURE).config;
    const preview = http.routers[routerNameFor("alpha--preview.apps.example.com")];
    expect(preview).toEqual({
      entryPoints: ["websecure"],
      rule: "Host(`alpha--preview.apps.example.com`)",
      service: routerNameFor("alpha--preview.apps.example.com"),
      middlewares: ["devsanctum-forward-auth", "devsanctum-security-headers"],
      tls: {},
    });
    // OpenCode goes to the control plane's edge, which checks access and adds the password itself
    // (through a service of its own: verification tells a running route from a sleeping one).
    const opencode = routerNameFor("alpha--opencode.apps.example.com");
    expect(http.routers[opencode]).toMatchObject({ middlewares: ["devsanctum-security-headers"], service: opencode });
    expect(http.services[opencode]?.loadBalancer.servers).toEqual([{ url: "http://control-plane:8080" }]);
    expect(http.services["devsanctum-control-plane-edge"]?.loadBalancer.servers).toEqual([
      { url: "http://control-plane:8080" },
    ]);
    expect(http.routers[routerNameFor("alpha.apps.example.com")]?.middlewares).toEqual(["devsanctum-security-headers"]);
    expect(http.services[routerNameFor("alpha--preview.apps.example.com")]).toEqual({
      loadBalancer: {
        servers: [{ url: "http://ds-alpha-preview:5173" }],
        passHostHeader: true,
        healthCheck: { path: "/", interval: "10s", timeout: "3s" },
      },
    });
    // No credential anywhere in the document (Traefik's API shows it to project networks).
    expect(JSON.stringify(http)).not.toMatch(/Basic |password/i);
    expect(http.middlewares["devsanctum-forward-auth"]).toEqual({
      forwardAuth: {
        address: "http://control-plane:3000/internal/forward-auth?key=k3y",
        trustForwardHeader: true,
        addAuthCookiesToResponse: ["__Host-ds_app", "ds_app"],
        authResponseHeaders: ["Authorization", "Cookie"],
      },
    });
  });

  it("sends a stopped or not-yet-running service to the control plane's page, not to a dead endpoint", () => {
    const { http } = render(FIXTURE).config;
    for (const host of ["bravo--preview.apps.example.com", "charlie--preview.apps.example.com"]) {
      const name = routerNameFor(host);
      expect(http.routers[name]?.service).toBe("devsanctum-control-plane");
      expect(http.routers[name]?.middlewares).toEqual(["devsanctum-security-headers", "devsanctum-offline-page"]);
      expect(http.services[name]).toBeUndefined();
    }
    expect(http.middlewares["devsanctum-offline-page"]).toEqual({ replacePath: { path: "/internal/traefik/offline" } });
  });

  it("sends a sleeping project's hosts to the control plane's edge (it holds and wakes); production only with productionIdle", () => {
    const { config } = render(FIXTURE);
    expect(validate(config)).toEqual([]);
    const { http } = config;
    for (const host of ["delta--preview.apps.example.com", "echo.apps.example.com"]) {
      const name = routerNameFor(host);
      // No forwardAuth: the edge makes the same access decision before it wakes anything.
      expect(http.routers[name]).toMatchObject({
        service: "devsanctum-control-plane-edge",
        middlewares: ["devsanctum-security-headers"],
      });
      expect(http.services[name]).toBeUndefined();
    }
    const production = routerNameFor("delta.apps.example.com");
    expect(http.routers[production]?.service).toBe(production);
    expect(http.services[production]?.loadBalancer.servers).toEqual([{ url: "http://ds-delta:3000" }]);
    // Awake again: back at its container.
    const woken = render([route("delta--preview.apps.example.com", { target: "http://ds-delta-preview:5173" })]);
    const name = routerNameFor("delta--preview.apps.example.com");
    expect(woken.config.http.routers[name]?.service).toBe(name);
    expect(woken.config.http.services[name]?.loadBalancer.servers).toEqual([{ url: "http://ds-delta-preview:5173" }]);
  });

  it("is only the sentinel for an empty table, and never emits an empty map", () => {
    const { config } = render([]);
    expect(validate(config)).toEqual([]);
    // The schema bites: a router field Traefik does not know is refused.
    expect(validate({ http: { routers: { x: { rule: "Host(`a`)", service: "s", priorty: 1 } } } })).not.toEqual([]);
    expect(Object.keys(config.http.routers)).toEqual([SENTINEL_ROUTER]);
    expect(Object.keys(config.http.services)).toEqual(["devsanctum-control-plane", "devsanctum-control-plane-edge"]);
    for (const map of Object.values(config.http)) expect(Object.keys(map).length).toBeGreaterThan(0);
    expect(config.http.routers[SENTINEL_ROUTER]).toEqual({
      entryPoints: ["traefik"],
      rule: "Path(`/__devsanctum/sentinel`)",
      service: "devsanctum-control-plane",
    });
  });

  it("gives the same bytes for the same table in any order, and carries nothing volatile", () => {
    const a = serializeTraefikConfig(render(FIXTURE).config);
    const b = serializeTraefikConfig(render([...FIXTURE].reverse()).config);
    expect(b).toBe(a);
    // Keys come out sorted at every level without a sorting pass (10,000 routes: 40 ms, not 300).
    for (const tls of [undefined, { certResolver: "le", wildcard: true }]) {
      const { config } = render(FIXTURE, { ...OPTS, ...(tls ? { tls } : {}) });
      expect(serializeTraefikConfig(config)).toBe(canonicalJson(config));
    }
    expect(a).not.toMatch(/\d{4}-\d{2}-\d{2}T/); // no timestamps
  });

  it("leaves out hostnames that could break the rule or name, and says why", () => {
    const odd = [
      "evil@x.apps.example.com",
      "a`) || Host(`victim.example.org",
      "UPPER.apps.example.com",
      "trailing.apps.example.com.",
      "console.example.org",
      "apps.example.com",
      "space here.apps.example.com",
    ];
    const { config, skipped } = render([...odd.map((h) => route(h)), route("fine.apps.example.com")]);
    expect(skipped.map((s) => s.hostname).sort()).toEqual([...odd].sort());
    expect(skipped.find((s) => s.hostname === "console.example.org")?.reason).toBe("not under apps.example.com");
    expect(validate(config)).toEqual([]);
    expect(Object.keys(config.http.routers)).toEqual([SENTINEL_ROUTER, routerNameFor("fine.apps.example.com")]);
    const names = Object.values(config.http).flatMap((m) => Object.keys(m));
    for (const n of names) expect(n).toMatch(/^[a-z0-9-]+$/);
    expect(canonicalJson(config)).not.toContain("@");
  });

  it("names routers deterministically, without @, and keeps look-alike hostnames apart", () => {
    expect(routerNameFor("alpha--preview.apps.example.com")).toBe(routerNameFor("alpha--preview.apps.example.com"));
    expect(routerNameFor("alpha--preview.apps.example.com")).toMatch(
      /^route-alpha-preview-apps-example-com-[0-9a-f]{12}$/,
    );
    const a = routerNameFor("a-b.c.apps.example.com");
    const b = routerNameFor("a.b-c.apps.example.com");
    expect(a).not.toBe(b);
    const { config } = render([route("a-b.c.apps.example.com"), route("a.b-c.apps.example.com")]);
    expect(Object.keys(config.http.routers)).toHaveLength(3);
    expect(routerNameFor(`${"x".repeat(63)}.apps.example.com`).length).toBeLessThanOrEqual(80);
  });

  it("refuses endpoints that are not plain http(s) URLs: such a route gets the offline page", () => {
    const { http } = render([
      route("creds.apps.example.com", { target: "http://user:pass@host:1" }),
      route("scheme.apps.example.com", { target: "file:///etc/passwd" }),
    ]).config;
    expect(http.routers[routerNameFor("creds.apps.example.com")]?.service).toBe("devsanctum-control-plane");
    expect(http.routers[routerNameFor("scheme.apps.example.com")]?.service).toBe("devsanctum-control-plane");
    expect(Object.keys(http.services)).toEqual(["devsanctum-control-plane", "devsanctum-control-plane-edge"]);
  });

  it("names the wildcard certificate on every router (DNS-01), or one certificate per host (HTTP-01)", () => {
    const wildcard = render(FIXTURE, { ...OPTS, tls: { certResolver: "le", wildcard: true } }).config;
    expect(validate(wildcard)).toEqual([]);
    for (const [name, router] of Object.entries(wildcard.http.routers)) {
      if (name === SENTINEL_ROUTER) continue;
      expect(router.tls).toEqual({
        certResolver: "le",
        domains: [{ main: "apps.example.com", sans: ["*.apps.example.com"] }],
      });
    }
    const perHost = render(FIXTURE, { ...OPTS, tls: { certResolver: "le", wildcard: false }, entryPoint: "https" });
    const router = perHost.config.http.routers[routerNameFor("alpha.apps.example.com")];
    expect(router?.tls).toEqual({ certResolver: "le" });
    expect(router?.entryPoints).toEqual(["https"]);
    expect(validate(perHost.config)).toEqual([]);
  });

  it("the caching renderer writes the pure render's bytes as routes change, go and come", () => {
    const pure = (routes: PublishedRoute[], opts = OPTS) => ({
      body: serializeTraefikConfig(render(routes, opts).config),
      skipped: render(routes, opts).skipped,
    });
    for (const opts of [OPTS, { ...OPTS, tls: { certResolver: "le", wildcard: true } }]) {
      const renderDocument = traefikDocumentRenderer(opts);
      const odd = route("UPPER.apps.example.com");
      const tables: PublishedRoute[][] = [
        [...FIXTURE, odd],
        // One route moves to a new container, one stops: their fragments must not be reused.
        FIXTURE.map((r, i) =>
          i === 0
            ? { ...r, target: "http://ds-alpha-preview-2:5173" }
            : i === 2
              ? { ...r, project: { ...r.project, desiredState: "stopped" as const } }
              : r,
        ),
        FIXTURE.slice(3), // routes removed
        [...FIXTURE].reverse(), // and back, in another order
        [],
      ];
      for (const table of tables) {
        const got = renderDocument(table);
        const want = pure(table, opts);
        expect(got.body.toString()).toBe(want.body);
        expect(got.skipped).toEqual(want.skipped);
        expect(got.published).toBe(table.length - want.skipped.length);
        expect(validate(JSON.parse(got.body.toString()))).toEqual([]);
      }
    }
  });
});
