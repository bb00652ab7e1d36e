// GitHub and Google sign-in end to end: our routes, @fastify/oauth2, real HTTP to local
// fake providers (authorize → code → token exchange with PKCE → profile / ID token), a real
// database. Each refusal must leave nothing behind.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeProviders, startFakeProviders } from "./fixtures/fake-oauth-providers.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { buildIdentityApp, CookieJar, signInWith } from "./helpers/identity.js";

let database: TestDatabase;
let fakes: FakeProviders;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  fakes = await startFakeProviders();
  ({ app } = await buildIdentityApp(database, { auth: { github: fakes.github.config, google: fakes.google.config } }));
});
afterAll(async () => {
  await app?.close();
  await fakes?.close();
  await database?.drop();
});
beforeEach(() => fakes.google.tamper({}));

const counts = async () => ({
  users: await database.db.user.count(),
  identities: await database.db.identity.count(),
  sessions: await database.db.refreshToken.count(),
});

const me = (jar: CookieJar) => app.inject({ url: "/api/v1/me", headers: { cookie: jar.header() } });

describe("sign-in with GitHub and Google against local fake providers", () => {
  it("offers exactly the configured providers", async () => {
    const res = await app.inject("/api/v1/auth/providers");
    expect(res.json()).toEqual({
      providers: [
        { id: "github", name: "GitHub" },
        { id: "google", name: "Google" },
      ],
      bootstrap: false,
    });
  });

  it("GitHub: the first person becomes admin, gets session cookies and lands on `next`", async () => {
    fakes.github.signInAs({ id: "1001", name: "Ada Lovelace", email: "Ada@Example.test", emailVerified: true });
    const jar = new CookieJar();
    const { authorize, done } = await signInWith(app, jar, "github", { next: "/projects/abc" });

    // The authorize request carried state and a PKCE S256 challenge, not the verifier.
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("state")).toBeTruthy();
    expect(authorize.searchParams.get("redirect_uri")).toBe("http://localhost:3000/api/v1/auth/github/callback");
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe("/projects/abc");
    const access = jar.lastSetCookie.find((c) => c.startsWith("ds_access="));
    expect(access).toMatch(/HttpOnly/i);
    expect(access).toMatch(/SameSite=Lax/i);
    expect(access).toMatch(/Path=\//);
    expect(jar.get("ds_refresh")).toMatch(/^dsr_/);
    // The provider saw the token exchange and both profile calls.
    expect(fakes.requests).toEqual(
      expect.arrayContaining([
        "POST /github/login/oauth/access_token",
        "GET /github/api/user",
        "GET /github/api/user/emails",
      ]),
    );

    const res = await me(jar);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ email: "ada@example.test", name: "Ada Lovelace", role: "admin" });
    const audit = await database.db.auditEvent.findMany({ where: { action: "auth.sign_in" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]?.data).toEqual({ method: "github" });
  });

  it("Google with the same verified email signs in the same person (identity linked)", async () => {
    fakes.google.signInAs({ id: "g-77", name: "Ada L.", email: "ada@example.test", emailVerified: true });
    const jar = new CookieJar();
    const { authorize, done } = await signInWith(app, jar, "google");
    expect(authorize.searchParams.get("nonce")).toBeTruthy();
    expect(authorize.searchParams.get("scope")).toBe("openid email profile");
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe("/");
    const res = await me(jar);
    expect(res.json()).toMatchObject({ email: "ada@example.test", role: "admin" });
    const user = await database.db.user.findUniqueOrThrow({
      where: { email: "ada@example.test" },
      include: { identities: true },
    });
    expect(user.identities.map((i) => i.provider).sort()).toEqual(["github", "google"]);
    expect(await database.db.user.count()).toBe(1);
  });

  it("a second person is a member, and signing in again reuses the identity", async () => {
    fakes.github.signInAs({ id: "2002", name: "Grace", email: "grace@example.test", emailVerified: true });
    for (let i = 0; i < 2; i++) {
      const jar = new CookieJar();
      await signInWith(app, jar, "github");
      expect((await me(jar)).json()).toMatchObject({ email: "grace@example.test", role: "member" });
    }
    expect(await database.db.identity.count({ where: { providerUserId: "2002" } })).toBe(1);
  });

  it("refuses a callback whose state this browser did not start (login CSRF): nothing created", async () => {
    fakes.github.signInAs({ id: "3003", name: "Mallory", email: "mallory@example.test", emailVerified: true });
    const before = await counts();
    const jar = new CookieJar();
    const { done } = await signInWith(app, jar, "github", {
      tamper: (cb) => cb.searchParams.set("state", `${cb.searchParams.get("state")}x`),
    });
    expect(done.statusCode).toBe(302);
    expect(done.headers.location).toBe("/signin?error=OAUTH_STATE_MISMATCH");
    expect(jar.get("ds_access")).toBeUndefined();
    expect(await counts()).toEqual(before);
    // A callback without any state cookie at all (another browser) is refused too.
    const { callback } = await signInWith(app, new CookieJar(), "github");
    const bare = await app.inject(`${callback.pathname}${callback.search}`);
    expect(bare.headers.location).toBe("/signin?error=OAUTH_STATE_MISMATCH");
  });

  it("refuses a replayed code (the provider answers invalid_grant)", async () => {
    fakes.github.signInAs({ id: "2002", name: "Grace", email: "grace@example.test", emailVerified: true });
    const jar = new CookieJar();
    const { start, callback } = await signInWith(app, jar, "github");
    const replay = await app.inject({
      url: `${callback.pathname}${callback.search}`,
      headers: { cookie: start.cookies.map((c) => `${c.name}=${c.value}`).join("; ") },
    });
    expect(replay.headers.location).toBe("/signin?error=PROVIDER_ERROR");
  });

  it("refuses a GitHub account without a verified primary email: nothing created", async () => {
    fakes.github.signInAs({ id: "4004", name: "Unverified", email: "nobody@example.test", emailVerified: false });
    const before = await counts();
    const jar = new CookieJar();
    const { done } = await signInWith(app, jar, "github");
    expect(done.headers.location).toBe("/signin?error=EMAIL_NOT_VERIFIED");
    expect(jar.get("ds_access")).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it("refuses a Google account whose email is not verified: nothing created", async () => {
    fakes.google.signInAs({ id: "g-5", name: "Unverified", email: "ada@example.test", emailVerified: false });
    const before = await counts();
    const { done } = await signInWith(app, new CookieJar(), "google");
    expect(done.headers.location).toBe("/signin?error=EMAIL_NOT_VERIFIED");
    expect(await counts()).toEqual(before);
  });

  it.each([
    ["signed with a key not in the JWKS", { foreignKey: true }],
    ["issued for another client (aud)", { audience: "someone-else" }],
    ["from another issuer", { issuer: "https://evil.example" }],
    ["expired", { expired: true }],
    ["bound to another sign-in attempt (nonce)", { nonce: "not-yours" }],
  ])("refuses a Google ID token %s: nothing created", async (_why, tampering) => {
    fakes.google.signInAs({ id: "g-66", name: "Eve", email: "eve@example.test", emailVerified: true });
    fakes.google.tamper(tampering);
    const before = await counts();
    const jar = new CookieJar();
    const { done } = await signInWith(app, jar, "google");
    expect(done.headers.location).toBe("/signin?error=ID_TOKEN_INVALID");
    expect(jar.get("ds_access")).toBeUndefined();
    expect(await counts()).toEqual(before);
  });

  it("never redirects to another origin after sign-in", async () => {
    fakes.github.signInAs({ id: "2002", name: "Grace", email: "grace@example.test", emailVerified: true });
    const { done } = await signInWith(app, new CookieJar(), "github", { next: "//evil.example/x" });
    expect(done.headers.location).toBe("/");
  });

  it("passes a provider's refusal (the person clicked Deny) to the sign-in page", async () => {
    fakes.github.signInAs({ id: "2002", name: "Grace", email: "grace@example.test", emailVerified: true });
    const { done } = await signInWith(app, new CookieJar(), "github", {
      tamper: (cb) => {
        cb.searchParams.delete("code");
        cb.searchParams.set("error", "access_denied");
      },
    });
    expect(done.headers.location).toBe("/signin?error=ACCESS_DENIED");
  });
});

describe("sign-up policy", () => {
  let closed: FastifyInstance;
  let policyDb: TestDatabase;
  beforeAll(async () => {
    policyDb = await createTestDatabase();
    ({ app: closed } = await buildIdentityApp(policyDb, {
      auth: { github: fakes.github.config, signups: "closed", signupEmailDomains: ["corp.example"] },
    }));
  });
  afterAll(async () => {
    await closed?.close();
    await policyDb?.drop();
  });

  it("limits sign-ups to the allowed domains, lets the first user in, then closes", async () => {
    fakes.github.signInAs({ id: "9001", name: "Outsider", email: "out@elsewhere.example", emailVerified: true });
    expect((await signInWith(closed, new CookieJar(), "github")).done.headers.location).toBe(
      "/signin?error=EMAIL_DOMAIN_NOT_ALLOWED",
    );
    fakes.github.signInAs({ id: "9002", name: "First", email: "first@corp.example", emailVerified: true });
    expect((await signInWith(closed, new CookieJar(), "github")).done.headers.location).toBe("/");
    fakes.github.signInAs({ id: "9003", name: "Second", email: "second@corp.example", emailVerified: true });
    expect((await signInWith(closed, new CookieJar(), "github")).done.headers.location).toBe(
      "/signin?error=SIGNUP_CLOSED",
    );
    // The existing user still signs in.
    fakes.github.signInAs({ id: "9002", name: "First", email: "first@corp.example", emailVerified: true });
    expect((await signInWith(closed, new CookieJar(), "github")).done.headers.location).toBe("/");
    expect(await policyDb.db.user.findMany({ select: { email: true, role: true } })).toEqual([
      { email: "first@corp.example", role: "admin" },
    ]);
  });
});
