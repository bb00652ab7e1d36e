import type { Db } from "../../src/adapters/persistence/prisma-client.js";
import { generateApiToken } from "../../src/modules/auth/api-token.js";
import type { Scope } from "../../src/ports/auth.port.js";

let n = 0;

/** A real user row; `email` defaults to a unique address. */
export async function createUser(db: Db, opts: { role?: "admin" | "member"; email?: string; name?: string } = {}) {
  n += 1;
  return db.user.create({
    data: {
      email: opts.email ?? `user${n}-${Date.now()}@example.test`,
      name: opts.name ?? `User ${n}`,
      role: opts.role ?? "member",
    },
  });
}

/** A real API token row for `userId`; returns the Authorization header value. */
export async function createApiToken(
  db: Db,
  userId: string,
  opts: { scopes?: Scope[]; expiresAt?: Date | null; revoked?: boolean } = {},
): Promise<{ id: string; authorization: string; token: string }> {
  const { token, prefix, hash } = generateApiToken();
  const row = await db.apiToken.create({
    data: {
      userId,
      name: "test",
      prefix,
      tokenHash: hash,
      scopes: opts.scopes ?? ["projects:read", "projects:write", "templates:read", "tokens:read", "tokens:write"],
      expiresAt: opts.expiresAt ?? null,
      revokedAt: opts.revoked ? new Date() : null,
    },
  });
  return { id: row.id, token, authorization: `Bearer ${token}` };
}

/** A user and a token with every scope: the usual caller of an HTTP test. */
export async function signedInUser(db: Db, opts: { role?: "admin" | "member"; scopes?: Scope[] } = {}) {
  const user = await createUser(db, { role: opts.role ?? "member" });
  const { authorization } = await createApiToken(db, user.id, opts.scopes ? { scopes: opts.scopes } : {});
  return { user, headers: { authorization } };
}
