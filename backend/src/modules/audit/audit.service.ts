// The audit log read back (issue #16): an admin reads every event, anyone else their own.
// Newest first, paged by an opaque cursor over (createdAt, id), stable while events are added.
import type { AuditEvent, AuditQuery, AuditReader } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import { badRequest } from "../../shared/errors.js";

export interface AuditFilters {
  actor?: string | undefined;
  project?: string | undefined;
  action?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}

const encodeCursor = (e: AuditEvent) => Buffer.from(`${e.createdAt.toISOString()}|${e.id}`).toString("base64url");

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  const [at, id, rest] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const createdAt = new Date(at ?? "");
  if (rest !== undefined || !id || !/^[0-9a-f-]{36}$/.test(id) || Number.isNaN(createdAt.getTime())) {
    throw badRequest("INVALID_CURSOR", "cursor is not one this API returned (pass nextCursor as it is)");
  }
  return { createdAt, id };
}

export function auditServiceFactory(reader: AuditReader) {
  return {
    async list(principal: Principal, f: AuditFilters): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
      const after = f.cursor ? decodeCursor(f.cursor) : undefined;
      const admin = principal.role === "admin";
      // Someone else's events are not there for a member: an empty page, as for an unknown actor.
      if (!admin && f.actor && f.actor !== principal.userId) return { events: [], nextCursor: null };
      const actorId = admin ? f.actor : principal.userId;
      const q: AuditQuery = {
        limit: f.limit + 1,
        ...(actorId ? { actorId } : {}),
        ...(f.project ? { target: f.project } : {}),
        ...(f.action ? { action: f.action } : {}),
        ...(f.from ? { from: new Date(f.from) } : {}),
        ...(f.to ? { to: new Date(f.to) } : {}),
        ...(after ? { after } : {}),
      };
      const rows = await reader.list(q);
      const events = rows.slice(0, f.limit);
      const last = events.at(-1);
      return { events, nextCursor: rows.length > f.limit && last ? encodeCursor(last) : null };
    },
  };
}

export type AuditService = ReturnType<typeof auditServiceFactory>;
