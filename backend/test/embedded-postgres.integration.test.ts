// Regression: "the embedded PostgreSQL uses a fixed password on 127.0.0.1 (any local user can
// make themselves admin)" (issue #10). Its password is random per data directory, kept beside
// it with mode 0600; an older data directory made with the fixed one gets a random one.
import { chmod, mkdtemp, rm, stat, unlink } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { embeddedDatabaseUrl, startEmbeddedPostgres } from "../src/adapters/persistence/embedded-postgres.js";

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

const connects = async (url: string) => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
};
const fixed = (port: number) => `postgresql://devsanctum:devsanctum@127.0.0.1:${port}/devsanctum`;

describe("embedded PostgreSQL's password", () => {
  it("is random, kept with mode 0600, and the old fixed one is refused — also for an older data directory", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-pgpw-"));
    dirs.push(dir);
    await chmod(dir, 0o755);
    const dataDir = path.join(dir, "postgres");
    const port = await freeLowPort();

    let db = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect((await stat(path.join(dir, "postgres-password"))).mode & 0o777).toBe(0o600);
      expect(db.url).not.toContain(":devsanctum@");
      expect(await connects(db.url)).toBe(true);
      expect(await embeddedDatabaseUrl(dataDir, port)).toBe(db.url);
      expect(await connects(fixed(port))).toBe(false);
      // Make it look like a data directory from before: the fixed password, no password file.
      const c = new pg.Client({ connectionString: db.url });
      await c.connect();
      await c.query("ALTER ROLE devsanctum PASSWORD 'devsanctum'");
      await c.end();
    } finally {
      await db.stop();
    }
    await unlink(path.join(dir, "postgres-password"));

    db = await startEmbeddedPostgres({ dataDir, port });
    try {
      expect(await connects(db.url)).toBe(true);
      expect(await connects(fixed(port))).toBe(false);
      expect((await stat(path.join(dir, "postgres-password"))).mode & 0o777).toBe(0o600);
    } finally {
      await db.stop();
    }
  }, 60_000);
});
