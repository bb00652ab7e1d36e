// API tokens over HTTP on a real database: shown once, stored hashed, scopes enforced,
// tenancy (another user's token is a 404), audit events, and bad input changing nothing.
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/modules/auth/api-token.js";
import { createApiToken, createUser, signedInUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";
import { buildIdentityApp } from "./helpers/identity.js";

let database: TestDatabase;
let app: FastifyInstance;

beforeAll(async () => {
  database = await createTestDatabase();
  ({ app } = await buildIdentityApp(database));
});
afterAll(async () => {
  await app?.close();
  await database?.drop();
});

const create = (headers: Record<string, string>, payload: unknown) =>
  app.inject({ method: "POST", url: "/api/v1/tokens", headers, payload: payload as object });
const list = (headers: Record<string, string>) => app.inject({ url: "/api/v1/tokens", headers });
const revoke = (headers: Record<string, string>, id: string) =>
  app.inject({ method: "DELETE", url: `/api/v1/tokens/${id}`, headers });

describe("API tokens", () => {
  it("are shown once at creation, stored hashed, listed without their secret, and work as Bearer", async () => {
    const { user, headers } = await signedInUser(database.db);
    const res = await create(headers, { name: "ci", scopes: ["projects:read", "tokens:read"], expiresInDays: 30 });
    expect(res.statusCode).toBe(201);
    const { token, apiToken } = res.json();
    expect(token).toMatch(/^dsk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(token.slice(4, 12)).toBe(apiToken.prefix);
    expect(apiToken).toMatchObject({ name: "ci", scopes: ["projects:read", "tokens:read"], lastUsedAt: null });
    const days = (new Date(apiToken.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);

    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id: apiToken.id } });
    expect(row.tokenHash).toBe(hashToken(token));
    expect(JSON.stringify(row)).not.toContain(token.slice(13));

    const listed = await list({ authorization: `Bearer ${token}` });
    expect(listed.statusCode).toBe(200);
    expect(listed.body).not.toContain(token.slice(13));
    const mine = listed.json().tokens.find((t: { id: string }) => t.id === apiToken.id);
    expect(mine.lastUsedAt).not.toBeNull();
    expect(Object.keys(mine).sort()).toEqual([
      "createdAt",
      "expiresAt",
      "id",
      "lastUsedAt",
      "name",
      "prefix",
      "scopes",
    ]);

    const audit = await database.db.auditEvent.findFirst({ where: { action: "api_token.create", actorId: user.id } });
    expect(audit).toMatchObject({ target: `api_token:${apiToken.id}`, ip: "127.0.0.1" });
  });

  it("enforce scopes: 403 without the route's scope, and no token can mint scopes it lacks", async () => {
    const user = await createUser(database.db);
    const readOnly = await createApiToken(database.db, user.id, { scopes: ["projects:read"] });
    const listRes = await list({ authorization: readOnly.authorization });
    expect(listRes.statusCode).toBe(403);
    expect(listRes.json().error.code).toBe("INSUFFICIENT_SCOPE");

    const minter = await createApiToken(database.db, user.id, { scopes: ["tokens:write", "projects:read"] });
    const before = await database.db.apiToken.count();
    const escalate = await create({ authorization: minter.authorization }, { name: "x", scopes: ["projects:write"] });
    expect(escalate.statusCode).toBe(403);
    expect(await database.db.apiToken.count()).toBe(before);
    const ok = await create({ authorization: minter.authorization }, { name: "x", scopes: ["projects:read"] });
    expect(ok.statusCode).toBe(201);
  });

  it("are private: another user's token is a 404 to list, revoke or see, and keeps working", async () => {
    const alice = await signedInUser(database.db);
    const bob = await signedInUser(database.db);
    const bobs = (await create(bob.headers, { name: "bob's", scopes: ["projects:read"] })).json();

    const attempt = await revoke(alice.headers, bobs.apiToken.id);
    expect(attempt.statusCode).toBe(404);
    expect(attempt.json().error.code).toBe("API_TOKEN_NOT_FOUND");
    // Same answer as for an id that does not exist at all.
    const missing = await revoke(alice.headers, "00000000-0000-4000-8000-000000000000");
    expect(missing.json().error.code).toBe("API_TOKEN_NOT_FOUND");
    expect((await list(alice.headers)).body).not.toContain(bobs.apiToken.id);
    expect(
      (await app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${bobs.token}` } })).statusCode,
    ).toBe(200);
  });

  it("revoke: the token stops working at once, disappears from the list, and it is audited", async () => {
    const { user, headers } = await signedInUser(database.db);
    const { token, apiToken } = (await create(headers, { name: "temp", scopes: ["projects:read"] })).json();
    const res = await revoke(headers, apiToken.id);
    expect(res.statusCode).toBe(204);
    const me = await app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${token}` } });
    expect(me.statusCode).toBe(401);
    expect((await list(headers)).body).not.toContain(apiToken.id);
    expect((await revoke(headers, apiToken.id)).statusCode).toBe(404);
    const audit = await database.db.auditEvent.findFirst({ where: { action: "api_token.revoke", actorId: user.id } });
    expect(audit?.target).toBe(`api_token:${apiToken.id}`);
  });

  it("an admin may revoke anyone's token", async () => {
    const admin = await signedInUser(database.db, { role: "admin" });
    const member = await signedInUser(database.db);
    const { token, apiToken } = (await create(member.headers, { name: "m", scopes: ["projects:read"] })).json();
    expect((await revoke(admin.headers, apiToken.id)).statusCode).toBe(204);
    expect((await app.inject({ url: "/api/v1/me", headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(
      401,
    );
  });

  it.each([
    ["no name", { scopes: ["projects:read"] }],
    ["an empty name", { name: "  ", scopes: ["projects:read"] }],
    ["no scopes", { name: "x", scopes: [] }],
    ["an unknown scope", { name: "x", scopes: ["root"] }],
    ["a negative expiry", { name: "x", scopes: ["projects:read"], expiresInDays: -1 }],
    ["an unknown field", { name: "x", scopes: ["projects:read"], admin: true }],
  ])("refuses %s with 400 and creates nothing", async (_why, payload) => {
    const { headers } = await signedInUser(database.db);
    const before = await database.db.apiToken.count();
    const res = await create(headers, payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe("VALIDATION_FAILED");
    expect(await database.db.apiToken.count()).toBe(before);
  });

  it("refuses a malformed id with 400 and anonymous callers with 401", async () => {
    const { headers } = await signedInUser(database.db);
    expect((await revoke(headers, "not-a-uuid")).statusCode).toBe(400);
    expect((await list({})).statusCode).toBe(401);
    expect((await create({}, { name: "x", scopes: ["projects:read"] })).statusCode).toBe(401);
  });
});

describe("OpenAPI", () => {
  it("declares every identity route's security requirement", async () => {
    // Providers configured (never contacted): their start and callback routes are documented too.
    const nowhere = "http://127.0.0.1:9";
    const client = { clientId: "id", clientSecret: "secret", authorizeUrl: `${nowhere}/a`, tokenUrl: `${nowhere}/t` };
    const withProviders = await buildIdentityApp(database, {
      auth: {
        github: { ...client, apiUrl: nowhere },
        google: { ...client, issuer: nowhere, jwksUrl: `${nowhere}/jwks` },
      },
    });
    const doc = (await withProviders.app.inject("/docs/json")).json();
    await withProviders.app.close();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/v1/auth/github/start", "/api/v1/auth/google/callback"]),
    );
    const ops = Object.entries(doc.paths as Record<string, Record<string, { security?: unknown[] }>>)
      .filter(([path]) => path.startsWith("/api/v1/auth") || path.startsWith("/api/v1/tokens") || path === "/api/v1/me")
      .flatMap(([path, methods]) =>
        Object.entries(methods).map(([m, op]) => ({ op: `${m} ${path}`, security: op.security })),
      );
    expect(ops.length).toBeGreaterThanOrEqual(11);
    for (const { op, security } of ops) expect(security, op).toBeDefined();
    expect(doc.paths["/api/v1/tokens"].post.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    const { validate } = await import("@readme/openapi-parser");
    expect((await validate(structuredClone(doc))).valid).toBe(true);
  });
});
