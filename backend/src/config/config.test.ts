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

  it("reads the reconciler's settings, with defaults for the embedded default", () => {
    const d = loadConfig({});
    expect(d.reconciler).toEqual({
      intervalMs: 10_000,
      concurrency: 4,
      healthTimeoutMs: 60_000,
      endpoints: "loopback",
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
    expect(() => loadConfig({ PROJECT_NETWORK_ATTACH: "a, b" })).toThrow(/PROJECT_NETWORK_ATTACH/);
  });
});
