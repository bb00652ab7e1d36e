// The installation's one audit log. Every area writes through it, and a write that fails is
// logged (it never fails the action it records): before, identity's audit log had no logger
// and a failed write vanished.
import { prismaAuditLog, prismaAuditReader } from "../adapters/persistence/prisma-audit-log.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { auditServiceFactory } from "../modules/audit/audit.service.js";
import type { AuditLog } from "../ports/audit.port.js";

export interface WarnLog {
  warn(obj: object, msg?: string): void;
}

export function composeAudit(db: Db, log: WarnLog): AuditLog {
  return prismaAuditLog(db, (err) => log.warn({ err }, "audit write failed"));
}

/** GET /api/v1/audit: the same log read back, newest first. */
export function composeAuditReader(db: Db) {
  return auditServiceFactory(prismaAuditReader(db));
}
