// Traefik's HTTP provider on the real app and a real PostgreSQL: the shared secret, ETag / 304,
// a document that follows the Route table, the offline page and forward-auth's header rewrite.
import { randomBytes, randomUUID } from "node:crypto";
import { gunzipSync } from "node:zlib";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { prismaEdgeRouteLookup } from "../src/adapters/persistence/prisma-edge-route-lookup.js";
import { prismaRouteTable } from "../src/adapters/persistence/prisma-route-table.js";
import { builtinProxyProvider } from "../src/adapters/proxy/builtin-proxy-provider.js";
import { composeEdge, forwardAuthKeyOf } from "../src/composition/edge.js";
import { authenticatorFactory } from "../src/modules/auth/authenticator.js";
import { cachedRouteLookup } from "../src/modules/edge/cached-route-lookup.js";
import { routerNameFor, type TraefikDynamicConfig } from "../src/modules/traefik/traefik-dynamic-config.js";
import { traefikProviderServiceFactory } from "../src/modules/traefik/traefik-provider.service.js";
import { buildTestApp } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { traefikSchemaValidator } from "./helpers/traefik-schema.js";

const SECRET = randomUUID().replaceAll("-", "") + randomUUID().replaceAll("-", "");
const FORWARD_AUTH_KEY = forwardAuthKeyOf(SECRET);
const DOMAIN = "apps.example.test";
const TOKEN = "x-devsanctum-provider-token";

let database: TestDatabase;
let app: FastifyInstance;
let owner: { id: string; auth: string };
let templateId: string;

async function seedProject(slug: string, opts: { desiredState?: "running" | "stopped"; serviceState?: string } = {}) {
  const project = await database.db.project.create({
    data: {
      slug,
      name: `Project ${slug}`,
      ownerId: owner.id,
      templateId,
      desiredState: opts.desiredState ?? "running",
      status: opts.desiredState === "stopped" ? "stopped" : "running",
    },
  });
  const target = `http://ds-${slug}-preview:5173`;
  await database.db.serviceInstance.create({
    data: { projectId: project.id, kind: "preview", observedState: opts.serviceState ?? "running", endpoint: target },
  });
  const hostname = `${slug}--preview.${DOMAIN}`;
  await database.db.route.create({
    data: { hostname, projectId: project.id, kind: "preview", access: "owner", target },
  });
  return { project, hostname, router: routerNameFor(hostname) };
}

const poll = (headers: Record<string, string> = {}) =>
  app.inject({ url: "/internal/traefik/dynamic", headers: { [TOKEN]: SECRET, ...headers } });

beforeAll(async () => {
  database = await createTestDatabase();
  const user = await createUser(database.db);
  owner = { id: user.id, auth: (await createApiToken(database.db, user.id)).authorization };
  const template = await database.db.template.create({
    data: {
      slug: "traefik-test",
      name: "Traefik test",
      services: { preview: { healthCheck: { path: "/healthz", intervalMs: 1000, timeoutMs: 500, retries: 3 } } },
    },
  });
  templateId = template.id;
  const authenticator = authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) });
  const { access: edgeAccess } = composeEdge({
    db: database.db,
    rootSecret: randomBytes(32),
    config: {
      appsDomain: DOMAIN,
      publicUrl: "https://console.example.test",
      proxyProvider: "traefik",
      edge: { host: "127.0.0.1", port: 0, httpsPort: 0 },
      traefik: {
        apiUrl: "http://127.0.0.1:9",
        providerSecret: SECRET,
        controlPlaneUrl: "http://control-plane:3000",
        controlPlaneEdgeUrl: "http://control-plane:8080",
        verifyTimeoutMs: 1000,
      },
    },
    authenticator,
    log: { warn: () => {} },
    opencodePasswords: { passwordFor: async () => "opencode-secret" },
  });
  const provider = traefikProviderServiceFactory({
    routes: prismaRouteTable(database.db),
    render: {
      appsDomain: DOMAIN,
      controlPlaneUrl: "http://control-plane:3000",
      controlPlaneEdgeUrl: "http://control-plane:8080",
      forwardAuthKey: FORWARD_AUTH_KEY,
    },
    ttlMs: 0, // every poll reads the table, so a change shows on the next request
  });
  app = await buildTestApp(database, {
    authenticator,
    edgeAccess,
    traefik: { provider, providerSecret: SECRET },
    forwardAuth: { key: FORWARD_AUTH_KEY },
  });
});

afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("GET /internal/traefik/dynamic", () => {
  it("refuses a caller without the provider secret, with one generic answer", async () => {
    const none = await app.inject({ url: "/internal/traefik/dynamic" });
    const wrong = await app.inject({ url: "/internal/traefik/dynamic", headers: { [TOKEN]: `${SECRET}x` } });
    for (const res of [none, wrong]) {
      expect(res.statusCode).toBe(401);
      expect(res.json().error).toMatchObject({ code: "UNAUTHENTICATED", message: "Not allowed." });
      expect(res.headers.etag).toBeUndefined();
      expect(res.body).not.toContain("routers");
    }
  });

  it("serves the whole configuration with a strong ETag, and 304 for If-None-Match", async () => {
    const { router } = await seedProject("alpha");
    const res = await poll();
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const doc = res.json() as TraefikDynamicConfig;
    expect(traefikSchemaValidator()(doc)).toEqual([]);
    expect(doc.http.routers[router]?.rule).toBe(`Host(\`alpha--preview.${DOMAIN}\`)`);
    // The template's health-check path reaches Traefik's load balancer.
    expect(doc.http.services[router]?.loadBalancer.healthCheck?.path).toBe("/healthz");

    const again = await poll();
    expect(again.body).toBe(res.body);
    expect(again.headers.etag).toBe(etag);

    const notModified = await poll({ "if-none-match": etag });
    expect(notModified.statusCode).toBe(304);
    expect(notModified.body).toBe("");
    expect(notModified.headers.etag).toBe(etag);
    expect((await poll({ "if-none-match": `"other", W/${etag}` })).statusCode).toBe(304);
    expect((await poll({ "if-none-match": '"other"' })).statusCode).toBe(200);
  });

  it("sends gzip to a client that asks for it (Traefik's Go client does), with its own ETag", async () => {
    const plain = await poll();
    // Compressed in the background after a render: until then a gzip client gets plain JSON.
    const zipped = await vi.waitFor(async () => {
      const res = await poll({ "accept-encoding": "gzip" });
      expect(res.headers["content-encoding"]).toBe("gzip");
      return res;
    });
    expect(zipped.statusCode).toBe(200);
    expect(zipped.headers.vary).toBe("accept-encoding");
    expect(gunzipSync(zipped.rawPayload).toString()).toBe(plain.body);
    expect(zipped.headers.etag).not.toBe(plain.headers.etag);
    const again = await poll({ "accept-encoding": "gzip", "if-none-match": zipped.headers.etag as string });
    expect(again.statusCode).toBe(304);
  });

  it("follows the Route table: a stopped project goes to the offline page, a removed route disappears", async () => {
    const { project, router, hostname } = await seedProject("bravo");
    const before = await poll();
    expect(before.json().http.services[router]).toBeDefined();

    await database.db.project.update({ where: { id: project.id }, data: { desiredState: "stopped" } });
    const stopped = await poll({ "if-none-match": before.headers.etag as string });
    expect(stopped.statusCode).toBe(200);
    expect(stopped.headers.etag).not.toBe(before.headers.etag);
    const doc = stopped.json() as TraefikDynamicConfig;
    expect(doc.http.routers[router]?.service).toBe("devsanctum-control-plane");
    expect(doc.http.services[router]).toBeUndefined();

    await database.db.route.delete({ where: { hostname } });
    const gone = (await poll()).json() as TraefikDynamicConfig;
    expect(gone.http.routers[router]).toBeUndefined();
    expect(gone.http.routers["devsanctum-sentinel"]).toBeDefined();
  });
});

describe("the route table's fingerprint", () => {
  it("moves with every write the document depends on", async () => {
    const { project, router } = await seedProject("golf");
    const doc = async () => (await poll()).json() as TraefikDynamicConfig;
    expect((await doc()).http.services[router]).toBeDefined();

    // The container died: only ServiceInstance changes.
    await database.db.serviceInstance.update({
      where: { projectId_kind: { projectId: project.id, kind: "preview" } },
      data: { observedState: "exited" },
    });
    expect((await doc()).http.services[router]).toBeUndefined();

    // Back up, and the template's health-check path changes: only Template changes.
    await database.db.serviceInstance.update({
      where: { projectId_kind: { projectId: project.id, kind: "preview" } },
      data: { observedState: "running" },
    });
    await database.db.template.update({
      where: { id: templateId },
      data: { services: { preview: { healthCheck: { path: "/ready" } } } },
    });
    expect((await doc()).http.services[router]?.loadBalancer.healthCheck?.path).toBe("/ready");
  });
});

describe("Traefik's offline page and forward-auth", () => {
  const offline = (host: string, headers: Record<string, string> = {}, path = "/some/page") =>
    app.inject({
      url: "/internal/traefik/offline?x=1",
      headers: { host, "x-forwarded-host": host, "x-forwarded-proto": "https", "x-replaced-path": path, ...headers },
    });

  it("shows a stopped project's owner the Start page, and sends a stranger to sign in", async () => {
    const { hostname, project } = await seedProject("charlie", { desiredState: "stopped", serviceState: "exited" });
    const page = await offline(hostname, { authorization: owner.auth });
    expect(page.statusCode).toBe(503);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.body).toContain("Project charlie is stopped");
    expect(page.body).toContain(`/projects/${project.id}?action=start`);

    const anonymous = await offline(hostname);
    expect(anonymous.statusCode).toBe(302);
    const location = new URL(anonymous.headers.location as string);
    expect(location.pathname).toBe("/api/v1/app-auth/authorize");
    expect(location.searchParams.get("next")).toBe("/some/page?x=1");
  });

  it("asks the browser to retry when the service came up after Traefik's last poll", async () => {
    const { hostname } = await seedProject("foxtrot");
    const page = await offline(hostname, { authorization: owner.auth });
    expect(page.statusCode).toBe(503);
    expect(page.headers.refresh).toBe("2");
    expect(page.body).toContain("Project foxtrot is starting");
  });

  it("tells Traefik to put the app's own cookies upstream without the platform's host cookie", async () => {
    const { hostname } = await seedProject("delta");
    const res = await app.inject({
      url: `/internal/forward-auth?key=${FORWARD_AUTH_KEY}`,
      headers: {
        "x-forwarded-host": hostname,
        "x-forwarded-uri": "/",
        "x-forwarded-proto": "https",
        authorization: owner.auth,
        cookie: "theme=dark; __Host-ds_app=whatever; lang=en",
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.cookie).toBe("theme=dark; lang=en");
    // A preview gets no Authorization back: Traefik then removes the caller's bearer token.
    expect(res.headers.authorization).toBeUndefined();
  });
});

describe("builtin proxy provider", () => {
  it("counts a route as served once its row exists, even when the edge cached a miss before", async () => {
    const lookup = cachedRouteLookup(prismaEdgeRouteLookup(database.db), { ttlMs: 60_000 });
    const proxy = builtinProxyProvider({ routes: prismaEdgeRouteLookup(database.db), invalidate: lookup.invalidate });
    const hostname = `echo--preview.${DOMAIN}`;
    expect(await lookup.findByHostname(hostname)).toBeNull(); // a miss, cached for a minute
    await expect(proxy.verify([hostname])).rejects.toMatchObject({ code: "PROXY_ROUTE_NOT_LIVE" });

    await seedProject("echo");
    await proxy.verify([hostname]);
    expect((await lookup.findByHostname(hostname))?.hostname).toBe(hostname);
  });
});
