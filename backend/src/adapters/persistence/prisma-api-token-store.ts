import type { ApiTokenRecord, ApiTokenRepository, ApiTokenStore, Scope } from "../../ports/auth.port.js";
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

const INFO_FIELDS = {
  id: true,
  userId: true,
  name: true,
  prefix: true,
  scopes: true,
  createdAt: true,
  lastUsedAt: true,
  expiresAt: true,
} as const;

const toInfo = <T extends { scopes: string[] }>(row: T) => ({ ...row, scopes: row.scopes as Scope[] });

export function prismaApiTokenRepository(db: Db): ApiTokenRepository {
  return {
    async create(input) {
      return toInfo(await db.apiToken.create({ data: input, select: INFO_FIELDS }));
    },
    async listActive(userId) {
      const rows = await db.apiToken.findMany({
        where: { userId, revokedAt: null },
        orderBy: { createdAt: "desc" },
        select: INFO_FIELDS,
      });
      return rows.map(toInfo);
    },
    async findActive(id) {
      const row = await db.apiToken.findFirst({ where: { id, revokedAt: null }, select: INFO_FIELDS });
      return row ? toInfo(row) : null;
    },
    async revoke(id, at) {
      await db.apiToken.updateMany({ where: { id, revokedAt: null }, data: { revokedAt: at } });
    },
  };
}
