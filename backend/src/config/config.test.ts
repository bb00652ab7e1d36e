import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

/** The ConfigError's message; fails the test when the environment is accepted. */
function configError(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe("loadConfig", () => {
  it("runs with no configuration at all: embedded database under ./data, port 3000", () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.host).toBe("127.0.0.1");
    expect(c.database).toEqual({ embedded: { port: 5454, dataDir: path.resolve("data/postgres") } });
    expect(c.publicUrl).toBe("http://localhost:3000");
  });

  it("uses DATABASE_URL when given and ignores empty variables", () => {
    const c = loadConfig({ DATABASE_URL: "postgresql://u:p@db:5432/x", PORT: "", DATA_DIR: "/srv/ds" });
    expect(c.database).toEqual({ url: "postgresql://u:p@db:5432/x" });
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe("/srv/ds");
  });

  it("names the variable and the bad value in one line", () => {
    const msg = configError({ PORT: "eighty", DATABASE_URL: "mysql://x" });
    expect(msg).not.toContain("\n");
    expect(msg).toMatch(/PORT: .*\(got "eighty"\)/);
    expect(msg).toMatch(/DATABASE_URL: must be a postgres/);
  });

  it("needs SECRET_KEY in production on an external database, and only there", () => {
    const external = { NODE_ENV: "production", DATABASE_URL: "postgresql://u:p@db:5432/x" };
    expect(configError(external)).toMatch(/SECRET_KEY is required in production/);
    expect(loadConfig({ ...external, SECRET_KEY: "k".repeat(32) }).secretKey).toBe("k".repeat(32));
    // The embedded default (start.sh sets NODE_ENV=production) generates one under DATA_DIR.
    expect(loadConfig({ NODE_ENV: "production" }).secretKey).toBeUndefined();
  });

  it("refuses an embedded port the kernel may hand out for outgoing sockets", () => {
    expect(() => loadConfig({ EMBEDDED_PG_PORT: "40000" })).toThrow(/EMBEDDED_PG_PORT/);
  });

  it("needs the provider secret with Traefik, and derives where Traefik reaches the control plane", () => {
    expect(() => loadConfig({ PROXY_PROVIDER: "traefik" })).toThrow(/TRAEFIK_PROVIDER_SECRET/);
    expect(() => loadConfig({ PROXY_PROVIDER: "traefik", TRAEFIK_PROVIDER_SECRET: "short" })).toThrow(
      /TRAEFIK_PROVIDER_SECRET: at least 32/,
    );
    const secret = "a".repeat(64);
    const c = loadConfig({ PROXY_PROVIDER: "traefik", TRAEFIK_PROVIDER_SECRET: secret, PORT: "3100" });
    expect(c.traefik).toEqual({
      apiUrl: "http://traefik:8080",
      providerSecret: secret,
      controlPlaneUrl: "http://127.0.0.1:3100",
      controlPlaneEdgeUrl: "http://127.0.0.1:8080",
      tls: { certResolver: "le", wildcard: true },
      verifyTimeoutMs: 30_000,
    });
    // Compose names the control plane's container: its edge is there too, on EDGE_PORT.
    const compose = loadConfig({
      PROXY_PROVIDER: "traefik",
      TRAEFIK_PROVIDER_SECRET: secret,
      CONTROL_PLANE_INTERNAL_URL: "http://devsanctum-control-plane:3000",
      EDGE_PORT: "8081",
    });
    expect(compose.traefik?.controlPlaneEdgeUrl).toBe("http://devsanctum-control-plane:8081");
    const http01 = { PROXY_PROVIDER: "traefik", TRAEFIK_PROVIDER_SECRET: secret, TRAEFIK_TLS_WILDCARD: "false" };
    expect(loadConfig(http01).traefik?.tls).toEqual({ certResolver: "le", wildcard: false });
    expect(loadConfig({ ...http01, TRAEFIK_CERT_RESOLVER: "none" }).traefik?.tls).toBeUndefined();
    expect(loadConfig({}).traefik).toBeUndefined();
  });
});

describe("loadConfig: identity", () => {
  // Regression: "SIGNUPS defaults to open" (issue #10): once an OAuth app was configured, anyone
  // with a GitHub account could run containers here.
  it("offers no provider by default, closed sign-ups, 30-day refresh tokens", () => {
    const { auth } = loadConfig({});
    expect(auth).toEqual({
      signups: "closed",
      signupEmailDomains: [],
      refreshTokenTtlDays: 30,
      rateLimit: { max: 30, windowS: 60 },
    });
  });

  it("configures a provider from its client id and secret, with overridable endpoints", () => {
    const { auth } = loadConfig({
      GITHUB_CLIENT_ID: "id",
      GITHUB_CLIENT_SECRET: "secret",
      GITHUB_API_URL: "http://127.0.0.1:9999/api/",
      GOOGLE_CLIENT_ID: "gid",
      GOOGLE_CLIENT_SECRET: "gsecret",
      SIGNUPS: "closed",
      SIGNUP_EMAIL_DOMAINS: "Example.com, corp.example",
    });
    expect(auth.github).toEqual({
      clientId: "id",
      clientSecret: "secret",
      authorizeUrl: "https://github.com/login/oauth/authorize",
      tokenUrl: "https://github.com/login/oauth/access_token",
      apiUrl: "http://127.0.0.1:9999/api",
    });
    expect(auth.google).toMatchObject({ issuer: "https://accounts.google.com", clientId: "gid" });
    expect(auth.signups).toBe("closed");
    expect(auth.signupEmailDomains).toEqual(["example.com", "corp.example"]);
  });

  it("opens sign-ups to SIGNUP_EMAIL_DOMAINS when it is set, unless SIGNUPS says otherwise", () => {
    expect(loadConfig({ SIGNUP_EMAIL_DOMAINS: "corp.example" }).auth.signups).toBe("open");
    expect(loadConfig({ SIGNUP_EMAIL_DOMAINS: "corp.example", SIGNUPS: "closed" }).auth.signups).toBe("closed");
    expect(loadConfig({ SIGNUPS: "open" }).auth.signups).toBe("open");
    expect(loadConfig({ SIGNUPS: "" }).auth.signups).toBe("closed");
  });

  it("refuses half a provider and a malformed domain list", () => {
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: "gid" })).toThrow(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/);
    expect(() => loadConfig({ SIGNUP_EMAIL_DOMAINS: "a.com;b.com" })).toThrow(/SIGNUP_EMAIL_DOMAINS/);
    expect(() => loadConfig({ SIGNUPS: "maybe" })).toThrow(/SIGNUPS/);
  });

  it("reads the idle settings: 15 minutes, a 15 s hold; 0 or at least 10 seconds", () => {
    expect(loadConfig({}).idle).toEqual({ timeoutS: 900, wakeHoldMs: 15_000, flushMs: 5000 });
    expect(loadConfig({ IDLE_TIMEOUT_SECONDS: "0", WAKE_HOLD_MS: "3000" }).idle).toMatchObject({
      timeoutS: 0,
      wakeHoldMs: 3000,
    });
    expect(() => loadConfig({ IDLE_TIMEOUT_SECONDS: "5" })).toThrow(/IDLE_TIMEOUT_SECONDS/);
  });

  it("reads the reconciler's settings, with defaults for the embedded default", () => {
    const d = loadConfig({});
    expect(d.reconciler).toEqual({
      enabled: true,
      intervalMs: 10_000,
      concurrency: 4,
      healthTimeoutMs: 60_000,
      endpoints: "gate",
      gateImage: "devsanctum/node:20",
      attachContainers: [],
    });
    expect(d.templatesDir).toBe(path.resolve(import.meta.dirname, "../../templates"));
    const c = loadConfig({
      RECONCILE_INTERVAL_MS: "2000",
      RECONCILE_CONCURRENCY: "8",
      PROJECT_ENDPOINTS: "network",
      PROJECT_NETWORK_ATTACH: "devsanctum-control-plane,devsanctum-traefik",
      DEVSANCTUM_TEST_RUN: "t123",
    });
    expect(c.reconciler).toMatchObject({
      intervalMs: 2000,
      concurrency: 8,
      endpoints: "network",
      attachContainers: ["devsanctum-control-plane", "devsanctum-traefik"],
    });
    expect(c.testRun).toBe("t123");
    expect(() => loadConfig({ RECONCILE_CONCURRENCY: "0" })).toThrow(/RECONCILE_CONCURRENCY/);
    expect(loadConfig({ RECONCILER_ENABLED: "false" }).reconciler.enabled).toBe(false);
    expect(() => loadConfig({ PROJECT_NETWORK_ATTACH: "a, b" })).toThrow(/PROJECT_NETWORK_ATTACH/);
    // "loopback" published every service on 127.0.0.1, where anyone on the machine could reach a
    // private one: the mode is gone, and asking for it says so.
    expect(() => loadConfig({ PROJECT_ENDPOINTS: "loopback" })).toThrow(/PROJECT_ENDPOINTS/);
  });
});

describe("loadConfig: TRUST_PROXY", () => {
  it("believes no proxy by default, and reads true, a hop count or addresses", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: "1" }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8, 127.0.0.1" }).trustProxy).toBe("10.0.0.0/8, 127.0.0.1");
    expect(() => loadConfig({ TRUST_PROXY: "everyone" })).toThrow(/TRUST_PROXY/);
  });
});
