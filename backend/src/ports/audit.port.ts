// Who did what to which resource. Writes must never fail the action they describe.
export interface AuditEntry {
  actorId: string | null;
  action: string;
  target?: string;
  data?: Record<string, unknown>;
}

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
}
