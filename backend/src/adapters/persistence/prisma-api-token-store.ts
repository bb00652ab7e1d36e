import type { ApiTokenRecord, ApiTokenStore, Scope } from "../../ports/auth.port.js";
import type { Db } from "./prisma-client.js";

// lastUsedAt is informative: write it at most once a minute per token, not on every request.
const TOUCH_EVERY_MS = 60_000;

export function prismaApiTokenStore(db: Db): ApiTokenStore {
  const lastTouched = new Map<string, number>();
  return {
    async findByHash(tokenHash): Promise<ApiTokenRecord | null> {
      const row = await db.apiToken.findUnique({ where: { tokenHash }, include: { user: { select: { role: true } } } });
      if (!row) return null;
      return {
        id: row.id,
        userId: row.userId,
        role: row.user.role,
        scopes: row.scopes as Scope[],
        expiresAt: row.expiresAt,
        revokedAt: row.revokedAt,
      };
    },
    async touch(id, at) {
      const last = lastTouched.get(id) ?? 0;
      if (at.getTime() - last < TOUCH_EVERY_MS) return;
      lastTouched.set(id, at.getTime());
      await db.apiToken.update({ where: { id }, data: { lastUsedAt: at } });
    },
  };
}
