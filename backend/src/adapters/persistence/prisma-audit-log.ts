import type { AuditLog } from "../../ports/audit.port.js";
import type { Db } from "./prisma-client.js";

export function prismaAuditLog(db: Db, log: (err: unknown) => void = () => {}): AuditLog {
  return {
    async record({ actorId, action, target, data }) {
      await db.auditEvent
        .create({ data: { actorId, action, target: target ?? null, ...(data ? { data: data as object } : {}) } })
        .catch(log);
    },
  };
}
