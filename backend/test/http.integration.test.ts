import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { dockerodeContainerRuntime } from "../src/adapters/docker/dockerode-container-runtime.js";
import { buildApp } from "../src/app.js";
import { buildTestApp } from "./helpers/app.js";
import { signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  app = await buildTestApp(database);
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

describe("health", () => {
  it("GET /healthz answers while the process is up", async () => {
    const res = await app.inject("/healthz");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("GET /readyz is green with a real database and Docker engine", async () => {
    const res = await app.inject("/readyz");
    expect(res.json()).toMatchObject({
      status: "ready",
      checks: { database: { status: "ok" }, docker: { status: "ok" } },
    });
    expect(res.statusCode).toBe(200);
  });

  it("GET /readyz is 503 and names the Docker socket when no engine answers", async () => {
    const broken = await buildTestApp(database, {
      containers: dockerodeContainerRuntime({ socketPath: "/tmp/devsanctum-no-such.sock" }),
    });
    const res = await broken.inject("/readyz");
    await broken.close();
    expect(res.statusCode).toBe(503);
    const body = res.json();
    expect(body.checks.database.status).toBe("ok");
    expect(body.checks.docker.status).toBe("failed");
    expect(body.checks.docker.error).toContain("/tmp/devsanctum-no-such.sock");
    expect(body.checks.docker.error).toMatch(/DOCKER_HOST/);
  });

  it("GET /readyz is 503 naming the database when it does not answer", async () => {
    const broken = await buildTestApp(database, {
      database: { ping: () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:1")) },
    });
    const res = await broken.inject("/readyz");
    await broken.close();
    expect(res.statusCode).toBe(503);
    expect(res.json().checks.database).toMatchObject({
      status: "failed",
      error: expect.stringContaining("ECONNREFUSED"),
    });
    expect(res.json().checks.docker.status).toBe("ok");
  });
});

// Regression: "/api/v1/system/info tells anyone the Docker version" (issue #10).
describe("system info", () => {
  it("needs a signed-in caller", async () => {
    const res = await app.inject("/api/v1/system/info");
    expect(res.statusCode).toBe(401);
    expect(res.body).not.toMatch(/docker/i);
  });

  it("answers a signed-in caller with the versions", async () => {
    const user = await signedInUser(database.db);
    const res = await app.inject({ url: "/api/v1/system/info", headers: user.headers });
    expect(res.statusCode).toBe(200);
    expect(res.json().docker.version).toMatch(/^\d+\./);
  });
});

describe("OpenAPI", () => {
  it("serves a valid, generated OpenAPI 3.1 document at /docs/json", async () => {
    const res = await app.inject("/docs/json");
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toMatch(/^3\.1\./);
    const { validate } = await import("@readme/openapi-parser");
    const result = await validate(structuredClone(doc));
    expect(result.valid, JSON.stringify("errors" in result ? result.errors : [])).toBe(true);
    expect(doc.paths["/readyz"].get.operationId).toBe("getReadiness");
    expect(doc.paths["/api/v1/system/info"].get.responses["503"]).toBeDefined();
    expect(doc.components.schemas.Error).toBeDefined();
  });

  it("serves the Swagger UI at /docs", async () => {
    const res = await app.inject("/docs");
    const page = res.statusCode === 302 ? await app.inject(res.headers.location as string) : res;
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain("swagger");
  });
});

describe("errors", () => {
  let echo: FastifyInstance;
  beforeAll(async () => {
    // A route with a body schema, registered the way every module registers its routes.
    echo = await buildApp({
      logger: false,
      publicUrl: "http://localhost",
      version: "t",
      database: { ping: async () => {} },
      containers: dockerodeContainerRuntime({ socketPath: "/var/run/docker.sock" }),
      authenticator: { authenticate: async () => null },
      bodyLimitBytes: 1024,
    });
    echo.post(
      "/api/v1/echo",
      { schema: { body: z.object({ name: z.string().min(2), count: z.number().int() }) } },
      async (req) => req.body,
    );
    echo.get("/api/v1/things/:name", async (req) => req.params);
    echo.get("/api/v1/boom", async () => {
      throw new Error("password=hunter2 leaked from a driver");
    });
    await echo.ready();
  });
  afterAll(() => echo.close());

  it("malformed JSON is a 400 with the error body and the request id", async () => {
    const res = await echo.inject({
      method: "POST",
      url: "/api/v1/echo",
      headers: { "content-type": "application/json", "x-request-id": "req-abc.123" },
      payload: '{"name": ',
    });
    expect(res.statusCode).toBe(400);
    expect(res.headers["x-request-id"]).toBe("req-abc.123");
    expect(res.json()).toEqual({
      error: { code: "INVALID_JSON", message: expect.any(String), requestId: "req-abc.123" },
    });
  });

  it("a body that fails validation names every failing field", async () => {
    const res = await echo.inject({ method: "POST", url: "/api/v1/echo", payload: { name: "x", count: 1.5 } });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.fields.map((f: { path: string }) => f.path).sort()).toEqual(["count", "name"]);
    expect(error.message).toContain("body.name");
  });

  it("an oversized body is a 413", async () => {
    const res = await echo.inject({
      method: "POST",
      url: "/api/v1/echo",
      payload: { name: "x".repeat(2000), count: 1 },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe("BODY_TOO_LARGE");
  });

  it("a 5xx reveals nothing but a generic message and the request id", async () => {
    const res = await echo.inject("/api/v1/boom");
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toContain("hunter2");
    expect(res.json().error).toEqual({
      code: "INTERNAL",
      message: "Internal server error",
      requestId: expect.any(String),
    });
  });

  it("an unknown route is a 404 with the error body", async () => {
    const res = await echo.inject("/api/v1/nope");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("ROUTE_NOT_FOUND");
  });

  // Regression: "router-level refusals skip the error envelope" (issue #10).
  it("a URL with bad %-encoding is a 400 with the error body", async () => {
    const res = await echo.inject("/api/v1/things/%E0%A4%A");
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "BAD_URL", requestId: expect.any(String) });
  });

  it("an over-long path parameter is a 414 with the error body", async () => {
    const res = await echo.inject(`/api/v1/things/${"x".repeat(600)}`);
    expect(res.statusCode).toBe(414);
    expect(res.json().error).toMatchObject({ code: "URI_TOO_LONG", requestId: expect.any(String) });
  });

  // Regression: "a NUL byte in a name, prompt or token name gives 500" (issue #10): PostgreSQL
  // cannot store U+0000; every body, query and parameter is refused with a 400 first.
  it.each([
    [
      "a NUL byte in the body",
      { method: "POST" as const, url: "/api/v1/echo", payload: { name: "a\u0000b", count: 1 } },
    ],
    [
      "a NUL byte in a nested body field",
      { method: "POST" as const, url: "/api/v1/echo", payload: { name: "ab", count: 1, x: ["\u0000"] } },
    ],
    ["a NUL byte in the query", { method: "GET" as const, url: "/api/v1/things/a?q=%00" }],
    ["a NUL byte in a path parameter", { method: "GET" as const, url: "/api/v1/things/a%00b" }],
  ])("%s is a 400 naming it", async (_what, req) => {
    const res = await echo.inject(req);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "CONTROL_CHARACTER", message: expect.stringMatching(/NUL/) });
  });

  it("a request id that is not well formed is replaced by a fresh one", async () => {
    const res = await echo.inject({ url: "/healthz", headers: { "x-request-id": "bad id\nwith newline" } });
    expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  });
});
