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
