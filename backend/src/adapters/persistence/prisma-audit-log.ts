import type { Prisma } from "../../generated/prisma/client.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Db } from "./prisma-client.js";

export function prismaAuditLog(db: Db): AuditLog {
  return {
    async record(entry) {
      await db.auditEvent.create({
        data: {
          actorId: entry.actorId,
          action: entry.action,
          target: entry.target ?? null,
          ...(entry.data ? { data: entry.data as Prisma.InputJsonObject } : {}),
          ip: entry.ip ?? null,
        },
      });
    },
  };
}
