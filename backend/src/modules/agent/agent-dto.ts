// Domain records → the API's JSON (dates as ISO strings). One place writes each kind.
import type { AgentMessage, AgentSession, PromptRecord, SessionStatus } from "../../ports/agent.port.js";

const iso = (d: Date | null) => d?.toISOString() ?? null;

export const toPromptDto = (p: PromptRecord) => ({
  id: p.id,
  sessionId: p.sessionId,
  text: p.text,
  status: p.status,
  error: p.error,
  createdAt: p.createdAt.toISOString(),
  sentAt: iso(p.sentAt),
  finishedAt: iso(p.finishedAt),
});

export const toSessionDto = (s: { session: AgentSession; status: SessionStatus; queue: PromptRecord[] }) => ({
  id: s.session.id,
  title: s.session.title,
  directory: s.session.directory,
  createdAt: s.session.createdAt.toISOString(),
  updatedAt: s.session.updatedAt.toISOString(),
  revertedFrom: s.session.revertedFrom,
  status: s.status,
  queue: s.queue.map(toPromptDto),
});

export const toMessageDto = (m: AgentMessage) => ({
  ...m,
  createdAt: m.createdAt.toISOString(),
  completedAt: iso(m.completedAt),
});
