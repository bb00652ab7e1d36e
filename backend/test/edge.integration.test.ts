// The builtin edge on a real listening socket, in front of a real upstream server, with
// routes in a real PostgreSQL: access rules, the per-host sign-in redirect, pages, streaming,
// WebSocket upgrades and header hygiene.
import { randomBytes, randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { networkServiceConnector } from "../src/adapters/network/service-connector.js";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { composeEdge } from "../src/composition/edge.js";
import { deriveKey } from "../src/config/secrets.js";
import { buildEdge } from "../src/edge/edge-server.js";
import { authenticatorFactory } from "../src/modules/auth/authenticator.js";
import { startUpstream, type Upstream } from "./fixtures/upstream-server.js";
import { buildTestApp } from "./helpers/app.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { parseSetCookie, requestVia } from "./helpers/http-client.js";

let database: TestDatabase;
let upstream: Upstream;
let app: FastifyInstance;
let edge: FastifyInstance;
let appPort: number;
let edgePort: number;
const users: Record<"owner" | "other" | "admin", { id: string; auth: string }> = {} as never;
const OPENCODE_PASSWORD = "derived-secret-for-test";
const rootSecret = randomBytes(32);
let forwardAuthKey: string;

async function seedRoute(opts: {
  slug: string;
  kind: "preview" | "opencode" | "production";
  access: "owner" | "authenticated" | "public";
  target: string;
  ownerId?: string;
  desiredState?: "running" | "stopped";
}) {
  const template = await database.db.template.upsert({
    where: { slug: "edge-test" },
    update: {},
    create: { slug: "edge-test", name: "Edge test", services: {} },
  });
  const project = await database.db.project.upsert({
    where: { slug: opts.slug },
    update: {},
    create: {
      slug: opts.slug,
      name: `Project ${opts.slug}`,
      ownerId: opts.ownerId ?? users.owner.id,
      templateId: template.id,
      desiredState: opts.desiredState ?? "running",
      status: "running",
    },
  });
  await database.db.serviceInstance.create({
    data: { projectId: project.id, kind: opts.kind, observedState: "running", endpoint: opts.target },
  });
  const hostname = opts.kind === "production" ? `${opts.slug}.localhost` : `${opts.slug}--${opts.kind}.localhost`;
  await database.db.route.create({
    data: { hostname, projectId: project.id, kind: opts.kind, access: opts.access, target: opts.target },
  });
  return { project, hostname, host: `${hostname}:${edgePort}` };
}

/** Walks the sign-in redirect as a browser would; returns the host cookie. */
async function signInToHost(host: string, as: string, next = "/") {
  const first = await requestVia(edgePort, host, next);
  expect(first.status).toBe(302);
  const authorize = new URL(first.headers.location as string);
  expect(authorize.origin).toBe(`http://localhost:${appPort}`);
  const second = await requestVia(appPort, `localhost:${appPort}`, authorize.pathname + authorize.search, {
    headers: { authorization: as },
  });
  expect(second.status).toBe(302);
  const callback = new URL(second.headers.location as string);
  expect(callback.host).toBe(host);
  const third = await requestVia(edgePort, host, callback.pathname + callback.search);
  return { third, callback, cookie: parseSetCookie(third.headers["set-cookie"]) };
}

beforeAll(async () => {
  database = await createTestDatabase();
  upstream = await startUpstream();
  for (const role of ["owner", "other", "admin"] as const) {
    const user = await createUser(database.db, { role: role === "admin" ? "admin" : "member" });
    users[role] = { id: user.id, auth: (await createApiToken(database.db, user.id)).authorization };
  }
  const authenticator = authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) });
  // The control plane's own URL must be known before the access service is built.
  const { default: net } = await import("node:net");
  const freePort = () =>
    new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address() as AddressInfo;
        s.close(() => resolve(port));
      });
    });
  appPort = await freePort();
  // The edge's port is part of its origin, where sign-in codes may go: known before it listens.
  edgePort = await freePort();
  // One access service behind both proxies: the builtin edge below, and the forwardAuth and
  // offline page the control plane serves to Traefik (PROXY_PROVIDER=traefik).
  const { access, traefikProvider, forwardAuth } = composeEdge({
    db: database.db,
    rootSecret,
    config: {
      appsDomain: "localhost",
      publicUrl: `http://localhost:${appPort}`,
      proxyProvider: "traefik",
      edge: { host: "127.0.0.1", port: edgePort, httpsPort: 0 },
      traefik: {
        apiUrl: "http://127.0.0.1:9",
        providerSecret: randomBytes(24).toString("hex"),
        controlPlaneUrl: `http://127.0.0.1:${appPort}`,
        controlPlaneEdgeUrl: `http://127.0.0.1:${edgePort}`,
        verifyTimeoutMs: 1000,
      },
    },
    authenticator,
    log: { warn: () => {} },
    opencodePasswords: { passwordFor: async () => OPENCODE_PASSWORD },
    // The builtin edge's http origin, and the ones forwardAuth is asked about below.
    origins: [
      { scheme: "http", port: edgePort },
      { scheme: "http", port: 80 },
      { scheme: "https", port: 443 },
    ],
    principalCacheMs: 0,
  });
  forwardAuthKey = forwardAuth?.key ?? "";
  app = await buildTestApp(database, {
    edgeAccess: access,
    authenticator,
    publicUrl: `http://localhost:${appPort}`,
    ...(traefikProvider ? { traefik: traefikProvider } : {}),
    ...(forwardAuth ? { forwardAuth } : {}),
  });
  await app.listen({ host: "127.0.0.1", port: appPort });
  edge = await buildEdge({ access, logger: false, connector: networkServiceConnector() });
  await edge.listen({ host: "127.0.0.1", port: edgePort });
});

afterAll(async () => {
  await edge?.close();
  await app?.close();
  await upstream?.close();
  await database?.drop();
});

describe("builtin edge: private hosts", () => {
  it("sends an anonymous browser through the control plane and back with a cookie for that host only", async () => {
    const { host } = await seedRoute({ slug: "alpha", kind: "preview", access: "owner", target: upstream.url });
    const { third, cookie } = await signInToHost(host, users.owner.auth, "/some/page?x=1");
    expect(third.status).toBe(302);
    expect(third.headers.location).toBe("/some/page?x=1");
    expect(cookie?.pair).toMatch(/^ds_app=/);
    expect(cookie?.attrs).toContain("httponly");
    // The console frames the preview (cross-site): only a partitioned SameSite=None cookie is
    // stored there, and browsers accept its Secure flag on http://*.localhost.
    expect(cookie?.attrs).toEqual(expect.arrayContaining(["samesite=none", "secure", "partitioned"]));
    expect(cookie?.attrs.some((a) => a.startsWith("domain="))).toBe(false);

    const page = await requestVia(edgePort, host, "/some/page?x=1", {
      headers: { cookie: `${cookie?.pair}; theme=dark` },
    });
    expect(page.status).toBe(200);
    const seen = JSON.parse(page.body);
    expect(seen.url).toBe("/some/page?x=1");
    // The platform's cookie never reaches user code; the app's own cookies do.
    expect(seen.headers.cookie).toBe("theme=dark");
    expect(seen.headers["x-forwarded-host"]).toBe(host);
    expect(seen.headers["x-forwarded-proto"]).toBe("http");
    expect(seen.headers["x-forwarded-for"]).toBe("127.0.0.1");
  });

  it("refuses a host cookie on another host, and a sign-in code used twice", async () => {
    const a = await seedRoute({ slug: "bravo", kind: "preview", access: "owner", target: upstream.url });
    const b = await seedRoute({ slug: "charlie", kind: "preview", access: "owner", target: upstream.url });
    const { cookie, callback } = await signInToHost(a.host, users.owner.auth);
    const onB = await requestVia(edgePort, b.host, "/", { headers: { cookie: cookie?.pair as string } });
    expect(onB.status).toBe(302); // not signed in on B: back to the control plane
    expect(onB.headers.location).toContain("/api/v1/app-auth/authorize");

    const replay = await requestVia(edgePort, a.host, callback.pathname + callback.search);
    expect(replay.status).toBe(400);
    expect(replay.body).toContain("expired");
    // The callback is recognised by its resolved path, as the URL parser sees it: a dot segment
    // does not slip the code past the edge to the project.
    const dotted = await requestVia(edgePort, a.host, `/x/..${callback.pathname}${callback.search}`);
    expect(dotted.status).toBe(400);
    expect(dotted.body).toContain("expired");
    // A code minted for A is refused on B.
    const crossCode = await requestVia(edgePort, b.host, callback.pathname + callback.search);
    expect(crossCode.status).toBe(400);
  });

  it("lets API clients in with their token and shows another user a 404, never the project", async () => {
    const { host } = await seedRoute({ slug: "delta", kind: "preview", access: "owner", target: upstream.url });
    const asOwner = await requestVia(edgePort, host, "/api", { headers: { authorization: users.owner.auth } });
    expect(asOwner.status).toBe(200);
    // The bearer token is the platform's, not the app's: stripped before the upstream.
    expect(JSON.parse(asOwner.body).headers.authorization).toBeUndefined();

    const asOther = await requestVia(edgePort, host, "/", { headers: { authorization: users.other.auth } });
    expect(asOther.status).toBe(404);
    expect(asOther.body).not.toContain("delta");

    // The control plane refuses to mint a code for someone else's host.
    const origin = encodeURIComponent(`http://${host}`);
    const mint = await requestVia(appPort, `localhost:${appPort}`, `/api/v1/app-auth/authorize?origin=${origin}`, {
      headers: { authorization: users.other.auth },
    });
    expect(mint.status).toBe(404);
    expect(JSON.parse(mint.body).error.code).toBe("APP_NOT_FOUND");

    const anonymousPost = await requestVia(edgePort, host, "/form", { method: "POST", body: "a=1" });
    expect(anonymousPost.status).toBe(401);
    const forged = await requestVia(edgePort, host, "/", { headers: { authorization: "Bearer dsk_00000000_x" } });
    expect(forged.status).toBe(401);
  });

  it("sends a browser that is not signed in to the console first", async () => {
    const { host } = await seedRoute({ slug: "echo", kind: "preview", access: "owner", target: upstream.url });
    const first = await requestVia(edgePort, host, "/");
    const authorize = new URL(first.headers.location as string);
    const res = await requestVia(appPort, `localhost:${appPort}`, authorize.pathname + authorize.search);
    expect(res.status).toBe(302);
    expect(res.headers.location).toMatch(/^http:\/\/localhost:\d+\/signin\?next=%2Fapi%2Fv1%2Fapp-auth%2Fauthorize/);
  });

  it("injects the OpenCode password at the edge and keeps OpenCode owner-only, even for admins", async () => {
    const { host } = await seedRoute({ slug: "foxtrot", kind: "opencode", access: "public", target: upstream.url });
    const asOwner = await requestVia(edgePort, host, "/session", { headers: { authorization: users.owner.auth } });
    expect(asOwner.status).toBe(200);
    const auth = JSON.parse(asOwner.body).headers.authorization as string;
    expect(Buffer.from(auth.replace("Basic ", ""), "base64").toString()).toBe(`opencode:${OPENCODE_PASSWORD}`);
    expect(asOwner.body).not.toContain(users.owner.auth);

    const asAdmin = await requestVia(edgePort, host, "/", { headers: { authorization: users.admin.auth } });
    expect(asAdmin.status).toBe(404);
    const anonymous = await requestVia(edgePort, host, "/");
    expect(anonymous.status).toBe(302);
  });
});

describe("builtin edge: pages, streaming, WebSocket", () => {
  it("answers an unknown host with a 404 page", async () => {
    const res = await requestVia(edgePort, `nobody--preview.localhost:${edgePort}`, "/");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toContain("text/html");
    expect(res.body).toContain("No project answers at this address");
    const outside = await requestVia(edgePort, `example.com:${edgePort}`, "/");
    expect(outside.status).toBe(404);
  });

  it("shows a stopped page, with a Start button for the owner only", async () => {
    const { host, project } = await seedRoute({
      slug: "golf",
      kind: "production",
      access: "public",
      target: upstream.url,
      desiredState: "stopped",
    });
    const anonymous = await requestVia(edgePort, host, "/");
    expect(anonymous.status).toBe(503);
    expect(anonymous.body).toContain("Project golf is stopped");
    expect(anonymous.body).not.toContain("Start project");
    const owner = await requestVia(edgePort, host, "/", { headers: { authorization: users.owner.auth } });
    expect(owner.body).toContain("Start project");
    expect(owner.body).toContain(`/projects/${project.id}?action=start`);
  });

  it("shows a 502 page when the upstream does not answer", async () => {
    const { host } = await seedRoute({
      slug: "hotel",
      kind: "production",
      access: "public",
      target: "http://127.0.0.1:9",
    });
    const res = await requestVia(edgePort, host, "/");
    expect(res.status).toBe(502);
    expect(res.body).toContain("Project hotel is not answering");
    // A server that restarts comes back without the person reloading by hand.
    expect(res.headers.refresh).toBe("3");
  });

  it("streams response bodies as they come and forwards request bodies", async () => {
    const { host } = await seedRoute({ slug: "india", kind: "production", access: "public", target: upstream.url });
    const post = await requestVia(edgePort, host, "/submit", {
      method: "POST",
      body: '{"a":1}',
      headers: { "content-type": "application/json" },
    });
    expect(JSON.parse(post.body)).toMatchObject({ method: "POST", body: '{"a":1}' });

    const started = Date.now();
    const firstChunkAt = await new Promise<number>((resolve, reject) => {
      import("node:http").then(({ default: http }) => {
        http
          .get({ host: "127.0.0.1", port: edgePort, path: "/stream", headers: { host } }, (res) => {
            res.once("data", () => resolve(Date.now() - started));
            res.resume();
          })
          .on("error", reject);
      });
    });
    // The upstream holds the end for 600 ms: the first chunk must arrive well before that.
    expect(firstChunkAt).toBeLessThan(400);
  });

  it("upgrades WebSockets (Vite HMR's subprotocol included) through the edge", async () => {
    const { host } = await seedRoute({ slug: "juliet", kind: "preview", access: "owner", target: upstream.url });
    const { cookie } = await signInToHost(host, users.owner.auth);
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/`, ["vite-hmr"], {
      headers: { host, cookie: cookie?.pair as string },
    });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("ping"));
      ws.on("message", (d) => resolve(String(d)));
      ws.on("error", reject);
    });
    ws.close();
    expect(reply).toBe("echo:ping|protocol:vite-hmr|auth:|cookie:");

    const anonymous = new WebSocket(`ws://127.0.0.1:${edgePort}/`, ["vite-hmr"], { headers: { host } });
    const status = await new Promise<number>((resolve) => {
      anonymous.on("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0));
      anonymous.on("open", () => resolve(101));
      anonymous.on("error", () => {});
    });
    expect(status).toBe(302);
  });
});

// Regression: "GET // on the edge gives 500 with Fastify's default body" (issue #10).
describe("the edge's own errors", () => {
  it.each(["//", "//evil.example/x", "/%E0%A4%A"])("answers %s without a 500", async (path) => {
    const { host } = await seedRoute({
      slug: `odd-${path.length}`,
      kind: "production",
      access: "public",
      target: upstream.url,
    });
    const res = await requestVia(edgePort, host, path);
    expect(res.status).toBeLessThan(500);
    expect(res.body).not.toMatch(/"statusCode"/);
  });
});

// Regression: "the edge forwards the console's own cookies to user code" (issue #10): only the
// host cookie was removed; the console's access and refresh tokens and the OAuth state reached
// the project's server whenever a browser sent them to its host, over HTTP and WebSocket.
describe("no platform cookie ever reaches a project's server", () => {
  const platform = [
    "ds_access=a",
    "__Host-ds_access=b",
    "ds_refresh=c",
    "__Host-ds_refresh=d",
    "ds_oauth_state_github=e",
    "__Host-ds_oauth_verifier_google=f",
  ];
  const sent = ["theme=dark", ...platform, "lang=en"].join("; ");

  it("strips them on HTTP, keeping the app's own", async () => {
    const { host } = await seedRoute({
      slug: "cookie-http",
      kind: "production",
      access: "public",
      target: upstream.url,
    });
    const seen = JSON.parse((await requestVia(edgePort, host, "/", { headers: { cookie: sent } })).body);
    expect(seen.headers.cookie).toBe("theme=dark; lang=en");
    const only = JSON.parse((await requestVia(edgePort, host, "/", { headers: { cookie: platform.join("; ") } })).body);
    expect(only.headers.cookie).toBeUndefined();
  });

  it("strips them on a WebSocket upgrade", async () => {
    const { host } = await seedRoute({ slug: "cookie-ws", kind: "production", access: "public", target: upstream.url });
    const ws = new WebSocket(`ws://127.0.0.1:${edgePort}/`, { headers: { host, cookie: sent } });
    const reply = await new Promise<string>((resolve, reject) => {
      ws.on("open", () => ws.send("hi"));
      ws.on("message", (d) => resolve(String(d)));
      ws.on("error", reject);
    });
    ws.close();
    expect(reply).toBe("echo:hi|protocol:|auth:|cookie:theme=dark; lang=en");
  });

  it("strips them in forwardAuth's answer for Traefik", async () => {
    const { hostname } = await seedRoute({
      slug: "cookie-fa",
      kind: "production",
      access: "public",
      target: upstream.url,
    });
    const res = await app.inject({
      url: `/internal/forward-auth?key=${forwardAuthKey}`,
      headers: { "x-forwarded-host": hostname, "x-forwarded-uri": "/", "x-forwarded-proto": "https", cookie: sent },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers.cookie).toBe("theme=dark; lang=en");
  });
});

describe("forwardAuth for Traefik (same decision as the builtin edge)", () => {
  const ask = (host: string, headers: Record<string, string> = {}, uri = "/") =>
    app.inject({
      url: `/internal/forward-auth?key=${forwardAuthKey}`,
      headers: { "x-forwarded-host": host, "x-forwarded-uri": uri, "x-forwarded-proto": "https", ...headers },
    });

  it("redirects a browser without a session, allows the owner, hides the host from others", async () => {
    const { hostname } = await seedRoute({ slug: "lima", kind: "preview", access: "owner", target: upstream.url });
    const anonymous = await ask(hostname, {}, "/docs?x=1");
    expect(anonymous.statusCode).toBe(302);
    const location = new URL(anonymous.headers.location as string);
    expect(location.pathname).toBe("/api/v1/app-auth/authorize");
    expect(location.searchParams.get("origin")).toBe(`https://${hostname}`);
    expect(location.searchParams.get("next")).toBe("/docs?x=1");

    expect((await ask(hostname, { authorization: users.owner.auth })).statusCode).toBe(200);
    expect((await ask(hostname, { authorization: users.other.auth })).statusCode).toBe(404);
  });

  // Regression (issue #10): forwardAuth answered with the decision's headers, the OpenCode
  // password among them, to anyone who reached it (project code shares networks with the
  // control plane in compose) with a forged X-Forwarded-Host.
  it("never hands out a credential, and answers only Traefik (the key in its address)", async () => {
    const { hostname } = await seedRoute({ slug: "mike", kind: "opencode", access: "owner", target: upstream.url });
    const res = await ask(hostname, { authorization: users.owner.auth });
    expect(res.statusCode).toBe(200);
    expect(res.headers.authorization).toBeUndefined();
    expect(JSON.stringify(res.headers)).not.toContain(OPENCODE_PASSWORD);

    for (const url of ["/internal/forward-auth", "/internal/forward-auth?key=wrong"]) {
      const forged = await app.inject({
        url,
        headers: { "x-forwarded-host": hostname, "x-forwarded-uri": "/", authorization: users.owner.auth },
      });
      expect(forged.statusCode).toBe(401);
      expect(forged.headers.authorization).toBeUndefined();
    }
  });

  it("sets the host cookie with Secure and the __Host- prefix over https", async () => {
    const { hostname, host } = await seedRoute({
      slug: "november",
      kind: "preview",
      access: "owner",
      target: upstream.url,
    });
    const origin = encodeURIComponent(`https://${hostname}`);
    const minted = await requestVia(
      appPort,
      `localhost:${appPort}`,
      `/api/v1/app-auth/authorize?origin=${origin}&next=/x`,
      {
        headers: { authorization: users.owner.auth },
      },
    );
    const callback = new URL(minted.headers.location as string);
    expect(callback.origin).toBe(`https://${hostname}`);
    const res = await ask(hostname, {}, callback.pathname + callback.search);
    expect(res.statusCode).toBe(302);
    expect(res.headers.location).toBe("/x");
    const cookie = parseSetCookie(res.headers["set-cookie"]);
    expect(cookie?.pair).toMatch(/^__Host-ds_app=/);
    expect(cookie?.attrs).toContain("secure");
    expect(host).toContain(hostname);
  });
});

// One module (modules/edge/edge-reply.ts) answers for both adapters. Regression: the Traefik
// path set the host cookie SameSite=Lax where the builtin edge set it partitioned
// SameSite=None, so signing in to a preview inside the console's frame failed behind Traefik;
// and its 401 carried no WWW-Authenticate.
describe("one edge reply: the builtin edge and Traefik's forwardAuth answer alike", () => {
  const viaTraefik = (hostname: string, uri: string, opts: { method?: string } = {}) =>
    app.inject({
      url: `/internal/forward-auth?key=${forwardAuthKey}`,
      headers: {
        "x-forwarded-host": hostname,
        "x-forwarded-uri": uri,
        "x-forwarded-proto": "http",
        "x-forwarded-method": opts.method ?? "GET",
      },
    });
  const viaBuiltin = (host: string, uri: string, opts: { method?: string } = {}) =>
    requestVia(edgePort, host, uri, { method: opts.method ?? "GET" });
  const both = async (slug: string, uri: string, opts: { method?: string } = {}) => {
    const { hostname, host } = await seedRoute({ slug, kind: "preview", access: "owner", target: upstream.url });
    const builtin = await viaBuiltin(host, uri, opts);
    const traefik = await viaTraefik(hostname, uri, opts);
    return {
      builtin: { status: builtin.status, headers: builtin.headers, body: builtin.body },
      traefik: { status: traefik.statusCode, headers: traefik.headers, body: traefik.body },
    };
  };
  const codeFor = async (origin: string) => {
    const q = `origin=${encodeURIComponent(origin)}&next=/after`;
    const minted = await requestVia(appPort, `localhost:${appPort}`, `/api/v1/app-auth/authorize?${q}`, {
      headers: { authorization: users.owner.auth },
    });
    const callback = new URL(minted.headers.location as string);
    return callback.pathname + callback.search;
  };

  it("sends an anonymous browser to the same sign-in redirect", async () => {
    const { builtin, traefik } = await both("parity-a", "/page?x=1");
    for (const r of [builtin, traefik]) {
      expect(r.status).toBe(302);
      const location = new URL(r.headers.location as string);
      expect(location.pathname).toBe("/api/v1/app-auth/authorize");
      expect(location.searchParams.get("next")).toBe("/page?x=1");
      expect(r.headers["cache-control"]).toBe("no-store");
    }
  });

  it("answers an anonymous write with the same 401 and WWW-Authenticate", async () => {
    const { builtin, traefik } = await both("parity-b", "/api", { method: "POST" });
    for (const r of [builtin, traefik]) {
      expect(r.status).toBe(401);
      expect(r.headers["www-authenticate"]).toBe('Bearer realm="devsanctum"');
    }
    expect(JSON.parse(traefik.body).error.code).toBe("UNAUTHENTICATED");
  });

  it("sets the same partitioned SameSite=None host cookie on both (the preview frame's sign-in)", async () => {
    const { hostname, host } = await seedRoute({
      slug: "parity-c",
      kind: "preview",
      access: "owner",
      target: upstream.url,
    });
    const builtin = await viaBuiltin(host, await codeFor(`http://${host}`));
    const traefik = await viaTraefik(hostname, await codeFor(`http://${hostname}`));
    const cookies = [builtin.headers["set-cookie"], traefik.headers["set-cookie"]].map((h) => parseSetCookie(h));
    for (const c of cookies) {
      expect(c?.pair).toMatch(/^ds_app=/);
      expect(c?.attrs).toEqual(
        expect.arrayContaining(["samesite=none", "secure", "partitioned", "httponly", "path=/"]),
      );
    }
    expect(cookies[0]?.attrs.sort()).toEqual(cookies[1]?.attrs.sort());
    expect([builtin.status, traefik.statusCode]).toEqual([302, 302]);
  });

  it("shows the same page for an unknown host", async () => {
    const builtin = await viaBuiltin(`nobody-here--preview.localhost:${edgePort}`, "/");
    const traefik = await viaTraefik("nobody-here--preview.localhost", "/");
    expect([builtin.status, traefik.statusCode]).toEqual([404, 404]);
    expect(traefik.body).toBe(builtin.body);
  });
});

// Regressions from issue #10's security review.
describe("host sessions and sign-in codes", () => {
  const authorizeAs = (authorization: string, origin: string) =>
    requestVia(
      appPort,
      `localhost:${appPort}`,
      `/api/v1/app-auth/authorize?origin=${encodeURIComponent(origin)}&next=/`,
      { headers: { authorization } },
    );

  // High: "app-auth code delivered to any port or scheme of a project host". Another user's
  // container listening on a loopback port of the victim's hostname received the victim's code.
  it("sends a code only to the edge's own origin, and refuses it on any other port", async () => {
    const { host, hostname } = await seedRoute({
      slug: "oscar",
      kind: "opencode",
      access: "owner",
      target: upstream.url,
    });
    for (const origin of [
      `http://${hostname}:9999`,
      `https://${hostname}:8443`,
      `ftp://${hostname}`,
      `http://${host}/x`,
    ]) {
      const res = await authorizeAs(users.owner.auth, origin);
      expect(res.status, origin).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe("INVALID_ORIGIN");
    }
    const minted = await authorizeAs(users.owner.auth, `http://${host}`);
    expect(minted.status).toBe(302);
    const callback = new URL(minted.headers.location as string);
    expect(callback.origin).toBe(`http://${host}`);
    // The same code presented on another port of the same hostname is refused.
    const elsewhere = await requestVia(edgePort, `${hostname}:9999`, callback.pathname + callback.search);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.headers["set-cookie"]).toBeUndefined();
  });

  // High: "a projects:read token drives OpenCode" (which runs commands).
  it("opens OpenCode only with write access: a read-only token, or a session made from one, gets nothing", async () => {
    const { host } = await seedRoute({ slug: "papa", kind: "opencode", access: "owner", target: upstream.url });
    const readOnly = (await createApiToken(database.db, users.owner.id, { scopes: ["projects:read"] })).authorization;
    expect((await requestVia(edgePort, host, "/", { headers: { authorization: readOnly } })).status).toBe(404);
    expect((await requestVia(edgePort, host, "/", { headers: { authorization: users.owner.auth } })).status).toBe(200);
    const minted = await authorizeAs(readOnly, `http://${host}`);
    expect(minted.status).toBe(404);
    expect(JSON.parse(minted.body).error.code).toBe("APP_NOT_FOUND");
    // The same read-only token still opens the owner's preview.
    const preview = await seedRoute({ slug: "papa-view", kind: "preview", access: "owner", target: upstream.url });
    expect((await requestVia(edgePort, preview.host, "/", { headers: { authorization: readOnly } })).status).toBe(200);
  });

  // Medium: "app sessions survive sign-out and token revocation" (a stateless 12-hour JWT).
  it("ends a host session when the token it came from is revoked, and follows a changed role", async () => {
    const { host } = await seedRoute({ slug: "quebec", kind: "preview", access: "owner", target: upstream.url });
    const token = await createApiToken(database.db, users.owner.id);
    const { cookie } = await signInToHost(host, token.authorization);
    const open = () => requestVia(edgePort, host, "/", { headers: { cookie: cookie?.pair as string } });
    expect((await open()).status).toBe(200);
    await database.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    const after = await open();
    expect(after.status).toBe(302);
    expect(after.headers.location).toContain("/api/v1/app-auth/authorize");

    // An admin opens another user's preview with a host session; once demoted, they do not.
    const adminToken = await createApiToken(database.db, users.admin.id);
    const asAdmin = await signInToHost(host, adminToken.authorization);
    const openAsAdmin = () => requestVia(edgePort, host, "/", { headers: { cookie: asAdmin.cookie?.pair as string } });
    expect((await openAsAdmin()).status).toBe(200);
    await database.db.user.update({ where: { id: users.admin.id }, data: { role: "member" } });
    try {
      expect((await openAsAdmin()).status).toBe(404);
    } finally {
      await database.db.user.update({ where: { id: users.admin.id }, data: { role: "admin" } });
    }
  });

  it("lives an hour and is renewed while used: an older session gets a fresh cookie on the proxied answer", async () => {
    const { host, hostname } = await seedRoute({
      slug: "romeo",
      kind: "preview",
      access: "owner",
      target: upstream.url,
    });
    const token = await createApiToken(database.db, users.owner.id);
    const { cookie } = await signInToHost(host, token.authorization);
    expect(cookie?.attrs).toContain("max-age=3600");
    const fresh = await requestVia(edgePort, host, "/", { headers: { cookie: cookie?.pair as string } });
    expect(fresh.headers["set-cookie"]).toBeUndefined();

    // The same session as the edge would have issued it eleven minutes ago.
    const elevenMinutesAgo = Math.floor(Date.now() / 1000) - 11 * 60;
    const old = await new SignJWT({ typ: "app-session", via: "api_token", tid: token.id })
      .setProtectedHeader({ alg: "HS256" })
      .setIssuer("devsanctum-edge")
      .setSubject(users.owner.id)
      .setAudience(hostname)
      .setJti(randomUUID())
      .setIssuedAt(elevenMinutesAgo)
      .setExpirationTime(elevenMinutesAgo + 3600)
      .sign(deriveKey(rootSecret, "app-session"));
    const renewed = await requestVia(edgePort, host, "/", { headers: { cookie: `ds_app=${old}` } });
    expect(renewed.status).toBe(200);
    const set = parseSetCookie(renewed.headers["set-cookie"]);
    expect(set?.pair).toMatch(/^ds_app=/);
    expect(set?.pair).not.toBe(`ds_app=${old}`);
    expect(set?.attrs).toEqual(expect.arrayContaining(["samesite=none", "secure", "partitioned", "max-age=3600"]));
  });
});
