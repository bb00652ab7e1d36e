import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

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
    expect(() => loadConfig({ PORT: "eighty" })).toThrowError(ConfigError);
    try {
      loadConfig({ PORT: "eighty", DATABASE_URL: "mysql://x" });
    } catch (err) {
      const msg = (err as Error).message;
      expect(msg).not.toContain("\n");
      expect(msg).toMatch(/PORT: .*\(got "eighty"\)/);
      expect(msg).toMatch(/DATABASE_URL: must be a postgres/);
    }
  });

  it("refuses an embedded port the kernel may hand out for outgoing sockets", () => {
    expect(() => loadConfig({ EMBEDDED_PG_PORT: "40000" })).toThrow(/EMBEDDED_PG_PORT/);
  });
});

describe("loadConfig: identity", () => {
  it("offers no provider by default, open sign-ups, 30-day refresh tokens", () => {
    const { auth } = loadConfig({});
    expect(auth).toEqual({
      signups: "open",
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

  it("refuses half a provider and a malformed domain list", () => {
    expect(() => loadConfig({ GOOGLE_CLIENT_ID: "gid" })).toThrow(/GOOGLE_CLIENT_ID and GOOGLE_CLIENT_SECRET/);
    expect(() => loadConfig({ SIGNUP_EMAIL_DOMAINS: "a.com;b.com" })).toThrow(/SIGNUP_EMAIL_DOMAINS/);
    expect(() => loadConfig({ SIGNUPS: "maybe" })).toThrow(/SIGNUPS/);
  });
});
