import type { LoginLinkStore, RefreshTokenStore, RotateResult } from "../../ports/session.port.js";
import type { Db } from "./prisma-client.js";

export function prismaRefreshTokenStore(db: Db): RefreshTokenStore {
  const revokeFamily = async (familyId: string, now: Date) => {
    await db.refreshToken.updateMany({ where: { familyId, revokedAt: null }, data: { revokedAt: now } });
  };
  return {
    async create(input) {
      await db.refreshToken.create({ data: { ...input, userAgent: input.userAgent?.slice(0, 300) ?? null } });
    },
    async rotate(tokenHash, next, now): Promise<RotateResult> {
      const row = await db.refreshToken.findUnique({ where: { tokenHash } });
      if (!row) return { kind: "invalid", reason: "unknown" };
      if (row.revokedAt) return { kind: "invalid", reason: "revoked" };
      const reused = { kind: "reused", userId: row.userId, familyId: row.familyId } as const;
      if (row.usedAt) {
        await revokeFamily(row.familyId, now);
        return reused;
      }
      if (row.expiresAt <= now) return { kind: "invalid", reason: "expired" };
      return db.$transaction(async (tx) => {
        // Conditional update: of two concurrent rotations of one token, only one wins.
        const won = await tx.refreshToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now } });
        if (won.count !== 1) {
          await tx.refreshToken.updateMany({
            where: { familyId: row.familyId, revokedAt: null },
            data: { revokedAt: now },
          });
          return reused;
        }
        await tx.refreshToken.create({
          data: { userId: row.userId, familyId: row.familyId, userAgent: row.userAgent, ...next },
        });
        return { kind: "rotated", userId: row.userId, familyId: row.familyId } as const;
      });
    },
    async peek(tokenHash, now) {
      const row = await db.refreshToken.findUnique({ where: { tokenHash } });
      if (!row || row.usedAt || row.revokedAt || row.expiresAt <= now) return null;
      return { userId: row.userId, familyId: row.familyId };
    },
    revokeFamily,
    async revokeAllOfUser(userId, now) {
      await db.refreshToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    },
    // Revoking marks every row of the family; deleting the user removes them all.
    async isFamilyActive(familyId) {
      const live = await db.refreshToken.findFirst({ where: { familyId, revokedAt: null }, select: { id: true } });
      return live !== null;
    },
  };
}

export function prismaLoginLinkStore(db: Db): LoginLinkStore {
  return {
    async create(input) {
      await db.loginLink.create({ data: input });
    },
    async consume(tokenHash, now) {
      const won = await db.loginLink.updateMany({
        where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
        data: { usedAt: now },
      });
      if (won.count !== 1) return null;
      const row = await db.loginLink.findUniqueOrThrow({ where: { tokenHash }, select: { userId: true } });
      return { userId: row.userId };
    },
  };
}
