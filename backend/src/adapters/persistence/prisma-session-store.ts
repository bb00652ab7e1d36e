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
    async rotate(tokenHash, next, now, opts = {}): Promise<RotateResult> {
      const row = await db.refreshToken.findUnique({ where: { tokenHash } });
      if (!row) return { kind: "invalid", reason: "unknown" };
      if (row.revokedAt) return { kind: "invalid", reason: "revoked" };
      const rotated = { kind: "rotated", userId: row.userId, familyId: row.familyId } as const;
      const reused = { kind: "reused", userId: row.userId, familyId: row.familyId } as const;
      /** Used just now, and its successor (the one this caller would get) still unused: a second tab. */
      const withinGrace = async () => {
        const used = await db.refreshToken.findUnique({ where: { id: row.id } });
        if (!used?.usedAt || used.revokedAt || now.getTime() - used.usedAt.getTime() > (opts.graceMs ?? 0)) {
          return false;
        }
        const successor = await db.refreshToken.findUnique({ where: { tokenHash: next.tokenHash } });
        return successor?.familyId === row.familyId && !successor.usedAt && !successor.revokedAt;
      };
      if (row.usedAt) {
        if (await withinGrace()) return rotated;
        await revokeFamily(row.familyId, now);
        return reused;
      }
      if (row.expiresAt <= now) return { kind: "invalid", reason: "expired" };
      const won = await db.$transaction(async (tx) => {
        // Conditional update: of two concurrent rotations of one token, only one wins (the
        // other waits on the row lock, then sees it used).
        const claimed = await tx.refreshToken.updateMany({
          where: { id: row.id, usedAt: null },
          data: { usedAt: now },
        });
        if (claimed.count !== 1) return false;
        await tx.refreshToken.create({
          data: { userId: row.userId, familyId: row.familyId, userAgent: row.userAgent, ...next },
        });
        return true;
      });
      if (won || (await withinGrace())) return rotated;
      await revokeFamily(row.familyId, now);
      return reused;
    },
    async pruneExpired(now) {
      return (await db.refreshToken.deleteMany({ where: { expiresAt: { lt: now } } })).count;
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
    async prune(now) {
      const gone = await db.loginLink.deleteMany({
        where: { OR: [{ usedAt: { not: null } }, { expiresAt: { lt: now } }] },
      });
      return gone.count;
    },
  };
}
