import type { Prisma } from "../../generated/prisma/client.js";
import type { AuditLog, AuditReader } from "../../ports/audit.port.js";
import type { Db } from "./prisma-client.js";

// A failed audit write is logged, never thrown: it must not fail the action it describes.
export function prismaAuditLog(db: Db, log: (err: unknown) => void = () => {}): AuditLog {
  return {
    async record(entry) {
      await db.auditEvent
        .create({
          data: {
            actorId: entry.actorId,
            action: entry.action,
            target: entry.target ?? null,
            ...(entry.data ? { data: entry.data as Prisma.InputJsonObject } : {}),
            ip: entry.ip ?? null,
          },
        })
        .then(
          () => undefined,
          (err: unknown) => log(err),
        );
    },
  };
}

export function prismaAuditReader(db: Db): AuditReader {
  return {
    async list(q) {
      const and: Prisma.AuditEventWhereInput[] = [];
      if (q.actorId) and.push({ actorId: q.actorId });
      if (q.target) and.push({ target: q.target });
      if (q.action?.endsWith(".*")) and.push({ action: { startsWith: q.action.slice(0, -1) } });
      else if (q.action) and.push({ action: q.action });
      if (q.from) and.push({ createdAt: { gte: q.from } });
      if (q.to) and.push({ createdAt: { lt: q.to } });
      if (q.after) {
        const { createdAt, id } = q.after;
        and.push({ OR: [{ createdAt: { lt: createdAt } }, { createdAt, id: { lt: id } }] });
      }
      const rows = await db.auditEvent.findMany({
        where: { AND: and },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: q.limit,
      });
      return rows.map((r) => ({
        id: r.id,
        actorId: r.actorId,
        action: r.action,
        target: r.target,
        data: (r.data as Record<string, unknown> | null) ?? null,
        ip: r.ip,
        createdAt: r.createdAt,
      }));
    },
  };
}
