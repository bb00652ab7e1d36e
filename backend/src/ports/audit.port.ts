// Who did what, written after the fact. Actions are dotted verbs: "auth.sign_in",
// "api_token.create", "project.delete", ... `target` names the object ("api_token:<id>").
// Writes must never fail the action they describe.
export interface AuditEntry {
  actorId: string | null;
  action: string;
  target?: string | undefined;
  data?: Record<string, unknown> | undefined;
  ip?: string | undefined;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}

/** One recorded event, as GET /api/v1/audit returns it. */
export interface AuditEvent {
  id: string;
  actorId: string | null;
  action: string;
  target: string | null;
  data: Record<string, unknown> | null;
  ip: string | null;
  createdAt: Date;
}

/** Every given filter narrows; newest first, `after` continues below the (createdAt, id) given. */
export interface AuditQuery {
  actorId?: string;
  /** The object named: a project id, or "api_token:<id>", "user:<id>", … */
  target?: string;
  /** An exact action ("project.create") or a prefix ending in ".*" ("project.*"). */
  action?: string;
  from?: Date;
  to?: Date;
  after?: { createdAt: Date; id: string };
  limit: number;
}

export interface AuditReader {
  list(q: AuditQuery): Promise<AuditEvent[]>;
}
