import type { Prisma } from "../../generated/prisma/client.js";
import type { AuditLog } from "../../ports/audit.port.js";
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
