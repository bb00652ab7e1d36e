import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { prismaApiTokenStore } from "../src/adapters/persistence/prisma-api-token-store.js";
import { authenticatorFactory } from "../src/modules/auth/authenticator.js";
import { createApiToken, createUser } from "./helpers/auth.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe("API token authentication (real PostgreSQL)", () => {
  const auth = () => authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) });

  it("resolves a valid token to its user, role and scopes, and records its use", async () => {
    const user = await createUser(database.db, { role: "admin" });
    const { id, authorization } = await createApiToken(database.db, user.id, { scopes: ["projects:read"] });
    const p = await auth().authenticate({ authorization, cookies: {} });
    expect(p).toEqual({ userId: user.id, role: "admin", scopes: ["projects:read"], via: "api_token", tokenId: id });
    const row = await database.db.apiToken.findUniqueOrThrow({ where: { id } });
    expect(row.lastUsedAt).toBeInstanceOf(Date);
    // Only the hash is stored.
    expect(row.tokenHash).not.toContain(authorization.slice(7));
    expect(row.tokenHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses revoked, expired, unknown and malformed tokens", async () => {
    const user = await createUser(database.db);
    const revoked = await createApiToken(database.db, user.id, { revoked: true });
    const expired = await createApiToken(database.db, user.id, { expiresAt: new Date(Date.now() - 1000) });
    const a = auth();
    await expect(a.authenticate({ authorization: revoked.authorization, cookies: {} })).rejects.toMatchObject({
      code: "INVALID_TOKEN",
    });
    await expect(a.authenticate({ authorization: expired.authorization, cookies: {} })).rejects.toThrow(/expired/);
    const forged = `${revoked.authorization.slice(0, -4)}AAAA`;
    await expect(a.authenticate({ authorization: forged, cookies: {} })).rejects.toThrow(/unknown or revoked/);
    await expect(a.authenticate({ authorization: "Bearer dsk_nothex_x", cookies: {} })).rejects.toThrow(/malformed/);
    await expect(a.authenticate({ authorization: "Basic abc", cookies: {} })).rejects.toThrow(/Bearer/);
  });

  it("answers null when no credentials are given", async () => {
    expect(await auth().authenticate({ cookies: {} })).toBeNull();
  });
});
