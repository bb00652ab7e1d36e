// Sessions over HTTP on a real database: bootstrap link, refresh rotation and reuse
// detection, sign-out, access-token forgeries, CSRF, cookie attributes and rate limits.
import type { FastifyInstance } from "fastify";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { composeEdge } from "../src/composition/edge.js";
import { deriveKey } from "../src/config/secrets.js";
import { hashToken } from "../src/modules/auth/api-token.js";
import { buildTestApp } from "./helpers/app.js";
import { createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { buildIdentityApp, CookieJar, PUBLIC_URL } from "./helpers/identity.js";

let database: TestDatabase;
let app: FastifyInstance;
let wired: Awaited<ReturnType<typeof buildIdentityApp>>;

beforeAll(async () => {
  database = await createTestDatabase();
  wired = await buildIdentityApp(database);
  app = wired.app;
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const ORIGIN = { origin: PUBLIC_URL };
const tokenOf = (url: string) => new URL(url).searchParams.get("token") as string;

/** Signs the owner in through a fresh bootstrap link; returns the browser's cookies. */
async function browserSession(target: FastifyInstance = app, sessions = wired.sessions) {
  const link = await sessions.createLoginLink();
  const jar = new CookieJar();
  const res = await target.inject(`/api/v1/auth/bootstrap?token=${tokenOf(link.url)}`);
  expect(res.statusCode).toBe(302);
  jar.store(res);
  return jar;
}

/** An API client's session: access and refresh tokens in JSON, via one body refresh. */
async function clientSession() {
  const jar = await browserSession();
  const res = await app.inject({
    method: "POST",
    url: "/api/v1/auth/refresh",
    payload: { refreshToken: jar.get("ds_refresh") },
  });
  expect(res.statusCode).toBe(200);
  return res.json() as { accessToken: string; refreshToken: string; expiresAt: string };
}

/** As if the token had been spent a minute ago: past the two-tabs grace window. */
const spentLongAgo = (token: string) =>
  database.db.refreshToken.updateMany({
    where: { tokenHash: hashToken(token) },
    data: { usedAt: new Date(Date.now() - 60_000) },
  });

const meWith = (headers: Record<string, string>) => app.inject({ url: "/api/v1/me", headers });
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

describe("bootstrap sign-in link", () => {
  it("is offered when no provider is configured", async () => {
    expect((await app.inject("/api/v1/auth/providers")).json()).toEqual({ providers: [], bootstrap: true });
  });

  it("signs the owner in once (creating them as admin), and never again", async () => {
    const link = await wired.sessions.createLoginLink();
    expect(link.url).toMatch(/^http:\/\/localhost:3000\/api\/v1\/auth\/bootstrap\?token=dsl_/);
    expect(link.expiresAt.getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    const first = await app.inject(`/api/v1/auth/bootstrap?token=${tokenOf(link.url)}`);
    expect(first.statusCode).toBe(302);
    expect(first.headers.location).toBe("/");
    const jar = new CookieJar();
    jar.store(first);
    expect((await meWith({ cookie: jar.header() })).json()).toMatchObject({ email: "owner@localhost", role: "admin" });

    const again = await app.inject(`/api/v1/auth/bootstrap?token=${tokenOf(link.url)}`);
    expect(again.statusCode).toBe(401);
    expect(again.json().error.code).toBe("LOGIN_LINK_INVALID");
    expect(again.headers["set-cookie"]).toBeUndefined();
    // Only the hash is stored.
    expect(await database.db.loginLink.count({ where: { tokenHash: tokenOf(link.url) } })).toBe(0);
  });

  it("expires after 15 minutes, and a later link signs in the same owner", async () => {
    const link = await wired.sessions.createLoginLink();
    await database.db.loginLink.updateMany({ where: { usedAt: null }, data: { expiresAt: new Date(Date.now() - 1) } });
    const res = await app.inject(`/api/v1/auth/bootstrap?token=${tokenOf(link.url)}`);
    expect(res.statusCode).toBe(401);
    const jar = await browserSession();
    expect((await meWith({ cookie: jar.header() })).json()).toMatchObject({ email: "owner@localhost" });
    expect(await database.db.user.count()).toBe(1);
  });

  it("answers 400 without a token and 401 for a made-up one", async () => {
    expect((await app.inject("/api/v1/auth/bootstrap")).statusCode).toBe(400);
    expect((await app.inject("/api/v1/auth/bootstrap?token=dsl_nope")).statusCode).toBe(401);
  });
});

describe("refresh tokens", () => {
  it("rotate on every use: the console's cookie is replaced and the old one is spent", async () => {
    const jar = await browserSession();
    const old = jar.get("ds_refresh") as string;
    const res = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      headers: { cookie: jar.header(), ...ORIGIN },
    });
    expect(res.statusCode).toBe(200);
    expect(Object.keys(res.json())).toEqual(["expiresAt"]);
    expect(new Date(res.json().expiresAt).getTime() - Date.now()).toBeGreaterThan(14 * 60_000);
    jar.store(res);
    expect(jar.get("ds_refresh")).not.toBe(old);
    expect((await meWith({ cookie: jar.header() })).statusCode).toBe(200);
    const family = await database.db.refreshToken.findMany({
      where: { userId: (await meWith({ cookie: jar.header() })).json().id },
    });
    expect(family.some((t) => t.usedAt)).toBe(true);
  });

  it("detect reuse: presenting a used token signs the whole family out", async () => {
    const first = await clientSession();
    const second = (
      await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: first.refreshToken } })
    ).json();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await meWith(bearer(second.accessToken))).statusCode).toBe(200);

    // An attacker (or a stale copy) presents the spent token, past the two-tabs grace window.
    await spentLongAgo(first.refreshToken);
    const reuse = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: first.refreshToken },
    });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json().error.code).toBe("REFRESH_TOKEN_REUSED");
    // The legitimate newest token and the family's access token stop working too.
    const newest = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: second.refreshToken },
    });
    expect(newest.statusCode).toBe(401);
    expect((await meWith(bearer(second.accessToken))).statusCode).toBe(401);
    expect(await database.db.auditEvent.count({ where: { action: "auth.refresh_reuse" } })).toBe(1);
  });

  // Regression: "two tabs refreshing at once count as token reuse and sign the person out"
  // (issue #10).
  it("give two simultaneous refreshes with the same token the same successor, and the session lives", async () => {
    const s = await clientSession();
    const both = await Promise.all(
      [1, 2].map(() =>
        app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: s.refreshToken } }),
      ),
    );
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    const [a, b] = both.map((r) => r.json());
    expect(a.refreshToken).toBe(b.refreshToken);
    expect((await meWith(bearer(a.accessToken))).statusCode).toBe(200);
    // A tab a moment later still gets it; the successor itself rotates on as usual.
    const late = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: s.refreshToken },
    });
    expect(late.json().refreshToken).toBe(a.refreshToken);
    const next = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: a.refreshToken },
    });
    expect(next.statusCode).toBe(200);
    expect(await database.db.auditEvent.count({ where: { action: "auth.refresh_reuse" } })).toBe(1); // the test above
  });

  it("still treat the spent token as reuse once its successor was used, even within the window", async () => {
    const s = await clientSession();
    const a = (
      await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: s.refreshToken } })
    ).json();
    await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: a.refreshToken } });
    const stale = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: s.refreshToken },
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().error.code).toBe("REFRESH_TOKEN_REUSED");
  });

  it("prunes expired refresh tokens and used sign-in links, keeping live ones", async () => {
    const s = await clientSession();
    const user = await database.db.refreshToken.findUniqueOrThrow({ where: { tokenHash: hashToken(s.refreshToken) } });
    await database.db.refreshToken.create({
      data: {
        userId: user.userId,
        familyId: user.familyId,
        tokenHash: "expired-hash",
        expiresAt: new Date(Date.now() - 1000),
      },
    });
    const pruned = await wired.sessions.prune();
    expect(pruned.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(pruned.loginLinks).toBeGreaterThanOrEqual(1); // the links used by the sessions above
    expect(await database.db.refreshToken.count({ where: { tokenHash: "expired-hash" } })).toBe(0);
    expect(await database.db.loginLink.count({ where: { usedAt: { not: null } } })).toBe(0);
    expect(await database.db.refreshToken.count({ where: { tokenHash: hashToken(s.refreshToken) } })).toBe(1);
  });

  it("refuses unknown tokens and a request with none", async () => {
    const bad = await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: "dsr_x" } });
    expect(bad.statusCode).toBe(401);
    expect(bad.json().error.code).toBe("INVALID_REFRESH_TOKEN");
    expect((await app.inject({ method: "POST", url: "/api/v1/auth/refresh" })).statusCode).toBe(401);
    const wrongShape = await app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: 5 } });
    expect(wrongShape.statusCode).toBe(400);
  });
});

describe("sign-out", () => {
  it("revokes this session at once: its access token and refresh token stop working", async () => {
    const s = await clientSession();
    const out = await app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: bearer(s.accessToken),
      payload: {},
    });
    expect(out.statusCode).toBe(204);
    expect(out.body).toBe("");
    const me = await meWith(bearer(s.accessToken));
    expect(me.statusCode).toBe(401);
    expect(me.json().error.message).toMatch(/signed out/);
    const refresh = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      payload: { refreshToken: s.refreshToken },
    });
    expect(refresh.statusCode).toBe(401);
  });

  it("deleting a user ends their sessions at once", async () => {
    const user = await createUser(database.db);
    const s = await wired.sessions.start(user, "test", {});
    expect((await meWith(bearer(s.accessToken))).statusCode).toBe(200);
    await database.db.user.delete({ where: { id: user.id } });
    expect((await meWith(bearer(s.accessToken))).statusCode).toBe(401);
  });

  it("clears the console's cookies, and `everywhere` ends every session of the user", async () => {
    const laptop = await browserSession();
    const phone = await browserSession();
    const out = await app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie: laptop.header(), ...ORIGIN },
      payload: { everywhere: true },
    });
    expect(out.statusCode).toBe(204);
    laptop.store(out);
    expect(laptop.get("ds_access")).toBeUndefined();
    expect(laptop.get("ds_refresh")).toBeUndefined();
    expect((await meWith({ cookie: phone.header() })).statusCode).toBe(401);
    const audit = await database.db.auditEvent.findFirst({
      where: { action: "auth.sign_out" },
      orderBy: { createdAt: "desc" },
    });
    expect(audit?.data).toEqual({ everywhere: true });
  });
});

describe("access tokens", () => {
  const key = () => deriveKey(wired.rootSecret, "access-token");
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
  let claims: { sub: string; role: string; sid: string; typ: string };

  beforeAll(async () => {
    const s = await clientSession();
    const [, payload = ""] = s.accessToken.split(".");
    claims = JSON.parse(Buffer.from(payload, "base64url").toString());
    expect(claims).toMatchObject({ typ: "access", role: "admin", iss: "devsanctum", aud: "devsanctum-api" });
  });

  const sign = (alg: string, secret: Uint8Array, exp: string | number = "5m") =>
    new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setIssuer("devsanctum")
      .setAudience("devsanctum-api")
      .setIssuedAt()
      .setExpirationTime(exp)
      .sign(secret);

  it("a token signed with our key and algorithm works (the baseline of the cases below)", async () => {
    expect((await meWith(bearer(await sign("HS256", key())))).statusCode).toBe(200);
  });

  it.each([
    ["expired", async () => sign("HS256", key(), Math.floor(Date.now() / 1000) - 60)],
    ["forged (another key)", async () => sign("HS256", new Uint8Array(32).fill(7))],
    ["signed with another algorithm (HS512, our key)", async () => sign("HS512", key())],
    ["unsigned (alg: none)", async () => `${b64({ alg: "none", typ: "JWT" })}.${b64({ ...claims, exp: 9e9 })}.`],
    [
      "tampered (role changed after signing)",
      async () => {
        const [h, , s] = (await sign("HS256", key())).split(".");
        return `${h}.${b64({ ...claims, role: "admin", sub: "00000000-0000-0000-0000-000000000000" })}.${s}`;
      },
    ],
  ])("refuses a token that is %s with 401", async (_why, make) => {
    const token = await make();
    for (const headers of [bearer(token), { cookie: `ds_access=${token}` }]) {
      const res = await meWith(headers);
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe("INVALID_TOKEN");
    }
  });

  it("says so when the access token expired, so the console knows to refresh", async () => {
    const res = await meWith(bearer(await sign("HS256", key(), Math.floor(Date.now() / 1000) - 60)));
    expect(res.json().error.message).toMatch(/expired/);
  });
});

describe("CSRF: cookie-authenticated mutations must come from the console", () => {
  const create = (headers: Record<string, string>) =>
    app.inject({
      method: "POST",
      url: "/api/v1/tokens",
      headers,
      payload: { name: "csrf", scopes: ["projects:read"] },
    });

  it("refuses a cookie request without Origin or from another origin, and changes nothing", async () => {
    const jar = await browserSession();
    const before = await database.db.apiToken.count();
    const attempts: Record<string, string>[] = [
      {},
      { origin: "http://evil.example" },
      { referer: "http://evil.example/page" },
    ];
    for (const extra of attempts) {
      const res = await create({ cookie: jar.header(), ...extra });
      expect(res.statusCode).toBe(403);
      expect(res.json().error.code).toBe("CSRF_ORIGIN_MISMATCH");
    }
    const logout = await app.inject({
      method: "POST",
      url: "/api/v1/auth/logout",
      headers: { cookie: jar.header(), origin: "http://evil.example" },
    });
    expect(logout.statusCode).toBe(403);
    const refresh = await app.inject({
      method: "POST",
      url: "/api/v1/auth/refresh",
      headers: { cookie: jar.header(), origin: "http://evil.example" },
    });
    expect(refresh.statusCode).toBe(403);
    expect(await database.db.apiToken.count()).toBe(before);
    expect((await meWith({ cookie: jar.header() })).statusCode).toBe(200);
  });

  it("accepts the console's own Origin (or Referer), and bearer requests need neither", async () => {
    const jar = await browserSession();
    expect((await create({ cookie: jar.header(), ...ORIGIN })).statusCode).toBe(201);
    expect((await create({ cookie: jar.header(), referer: `${PUBLIC_URL}/settings/tokens` })).statusCode).toBe(201);
    const s = await clientSession();
    expect((await create(bearer(s.accessToken))).statusCode).toBe(201);
  });
});

describe("cookies on an https PUBLIC_URL", () => {
  it("are __Host- prefixed, Secure, HttpOnly, SameSite=Lax, Path=/ and host-only", async () => {
    const https = await buildIdentityApp(database, { publicUrl: "https://ds.example" });
    try {
      const jar = await browserSession(https.app, https.sessions);
      expect([...jar.cookies.keys()].sort()).toEqual(["__Host-ds_access", "__Host-ds_refresh"]);
      for (const line of jar.lastSetCookie) {
        const attrs = line.split(";").map((a) => a.trim().toLowerCase());
        expect(attrs).toEqual(expect.arrayContaining(["secure", "httponly", "samesite=lax", "path=/"]));
        expect(attrs.some((a) => a.startsWith("domain="))).toBe(false);
      }
      const me = await https.app.inject({ url: "/api/v1/me", headers: { cookie: jar.header() } });
      expect(me.statusCode).toBe(200);
      // The unprefixed name means nothing there: a sibling host could have set it.
      const plain = await https.app.inject({
        url: "/api/v1/me",
        headers: { cookie: `ds_access=${jar.get("__Host-ds_access")}` },
      });
      expect(plain.statusCode).toBe(401);
    } finally {
      await https.app.close();
    }
  });
});

describe("project-host sign-in redirect", () => {
  it("recognises the console session cookie", async () => {
    const { access: edgeAccess } = composeEdge({
      db: database.db,
      rootSecret: wired.rootSecret,
      config: {
        appsDomain: "localhost",
        publicUrl: PUBLIC_URL,
        proxyProvider: "builtin",
        edge: { host: "127.0.0.1", port: 8080, httpsPort: 0 },
      },
      authenticator: wired.authenticator,
      log: { warn: () => {} },
    });
    const edgeApp = await buildTestApp(database, {
      authenticator: wired.authenticator,
      identity: wired.identity,
      edgeAccess,
    });
    try {
      const url = `/api/v1/app-auth/authorize?origin=${encodeURIComponent("http://app--preview.localhost:8080")}`;
      const anonymous = await edgeApp.inject(url);
      expect(anonymous.headers.location).toMatch(/^http:\/\/localhost:3000\/signin\?next=/);
      const jar = await browserSession();
      // Signed in: the decision moves on to the (unknown) host, which is a 404.
      const signedIn = await edgeApp.inject({ url, headers: { cookie: jar.header() } });
      expect(signedIn.statusCode).toBe(404);
      expect(signedIn.json().error.code).toBe("APP_NOT_FOUND");
    } finally {
      await edgeApp.close();
    }
  });
});

describe("rate limits on auth endpoints", () => {
  it("answer 429 with Retry-After and the usual error body", async () => {
    const limited = await buildIdentityApp(database, { auth: { rateLimit: { max: 2, windowS: 60 } } });
    try {
      const hit = () =>
        limited.app.inject({ method: "POST", url: "/api/v1/auth/refresh", payload: { refreshToken: "dsr_x" } });
      expect((await hit()).statusCode).toBe(401);
      expect((await hit()).statusCode).toBe(401);
      const res = await hit();
      expect(res.statusCode).toBe(429);
      expect(Number(res.headers["retry-after"])).toBeGreaterThan(0);
      expect(res.json()).toMatchObject({ error: { code: "RATE_LIMITED", requestId: expect.any(String) } });
      // Other endpoints are not limited by it.
      expect((await limited.app.inject("/api/v1/auth/providers")).statusCode).toBe(200);
    } finally {
      await limited.app.close();
    }
  });
});
