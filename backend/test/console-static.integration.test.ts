import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTestApp } from "./helpers/app.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

// The backend serves the built console at "/" without shadowing the API.
let database: TestDatabase;
let app: FastifyInstance;
let dir: string;
const html = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "console-dist-"));
  mkdirSync(path.join(dir, "assets"));
  writeFileSync(path.join(dir, "index.html"), '<!doctype html><div id="root"></div>');
  writeFileSync(path.join(dir, "assets", "index-AbC123.js"), "console.log(1)");
  database = await createTestDatabase();
  app = await buildTestApp(database, { consoleDir: dir });
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("console served by the backend", () => {
  it("serves index.html at / and for client-side routes, never cached, framed by nobody", async () => {
    for (const url of ["/", "/projects/123?action=start", "/signin?error=SIGNUP_CLOSED"]) {
      const res = await app.inject({ url, headers: html });
      expect(res.statusCode, url).toBe(200);
      expect(res.headers["content-type"]).toMatch(/text\/html/);
      expect(res.headers["cache-control"]).toBe("no-cache");
      expect(res.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
      expect(res.body).toContain('<div id="root">');
    }
  });

  it("caches hashed assets forever", async () => {
    const res = await app.inject("/assets/index-AbC123.js");
    expect(res.statusCode).toBe(200);
    expect(res.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("leaves API, docs and health paths alone, even for a browser", async () => {
    const unknownApi = await app.inject({ url: "/api/v1/no-such-thing", headers: html });
    expect(unknownApi.statusCode).toBe(404);
    expect(unknownApi.json().error.code).toBe("ROUTE_NOT_FOUND");
    expect((await app.inject({ url: "/healthz", headers: html })).json()).toEqual({ status: "ok" });
    expect((await app.inject({ url: "/internal/nope", headers: html })).statusCode).toBe(404);
    const docs = await app.inject({ url: "/docs/json" });
    expect(docs.statusCode).toBe(200);
    expect(docs.json().openapi).toBe("3.1.0");
  });

  it("answers a missing asset or a non-HTML request with a 404, not the page", async () => {
    expect((await app.inject("/assets/index-gone.js")).statusCode).toBe(404);
    expect((await app.inject({ url: "/projects", headers: { accept: "application/json" } })).statusCode).toBe(404);
  });
});
