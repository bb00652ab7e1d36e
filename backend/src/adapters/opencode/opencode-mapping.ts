// OpenCode 1.x shapes (@opencode-ai/sdk/v2, pinned to the server's version) → domain types.
// Pure. Everything not listed here is dropped: the browser sees only these fields, and an
// event type missing from EVENT_MAPPERS is never relayed (the allow-list).
import type {
  Event,
  Message,
  PermissionRequest as OcPermission,
  SessionStatus as OcStatus,
  Part,
  Session,
} from "@opencode-ai/sdk/v2/client";
import type {
  AgentMessageInfo,
  AgentPart,
  AgentServerEvent,
  AgentSession,
  PermissionRequest,
  SessionStatus,
} from "../../ports/agent.port.js";

export const toSession = (s: Session): AgentSession => ({
  id: s.id,
  title: s.title,
  directory: s.directory,
  createdAt: new Date(s.time.created),
  updatedAt: new Date(s.time.updated),
  revertedFrom: s.revert?.messageID ?? null,
});

export function toStatus(s: OcStatus): SessionStatus {
  if (s.type === "retry") return { type: "retry", attempt: s.attempt, message: s.message, next: s.next };
  return { type: s.type };
}

/** The provider's answer, as a person can read it ("401: Incorrect API key provided …"). */
export function errorText(error: unknown): string | null {
  if (!error || typeof error !== "object") return null;
  const e = error as { name?: string; data?: { message?: string; statusCode?: number } };
  const message = e.data?.message ?? e.name ?? "unknown error";
  return e.data?.statusCode ? `${e.data.statusCode}: ${message}` : message;
}

export function toMessageInfo(m: Message): AgentMessageInfo {
  return {
    id: m.id,
    sessionId: m.sessionID,
    role: m.role,
    parentId: m.role === "assistant" ? m.parentID : null,
    createdAt: new Date(m.time.created),
    completedAt: m.role === "assistant" && m.time.completed ? new Date(m.time.completed) : null,
    error: m.role === "assistant" ? errorText(m.error) : null,
  };
}

export function toPart(p: Part): AgentPart | null {
  switch (p.type) {
    case "text":
      return p.synthetic ? null : { type: "text", id: p.id, text: p.text };
    case "reasoning":
      return { type: "reasoning", id: p.id, text: p.text };
    case "patch":
      return { type: "files", id: p.id, files: p.files };
    case "tool": {
      const s = p.state;
      return {
        type: "tool",
        id: p.id,
        callId: p.callID,
        tool: p.tool,
        status: s.status,
        title: "title" in s && s.title ? s.title : null,
        input: s.input ?? {},
        output: s.status === "completed" ? s.output : null,
        error: s.status === "error" ? s.error : null,
      };
    }
    default:
      return null;
  }
}

export const toPermission = (p: OcPermission): PermissionRequest => ({
  id: p.id,
  sessionId: p.sessionID,
  permission: p.permission,
  patterns: p.patterns,
  callId: p.tool?.callID ?? null,
  messageId: p.tool?.messageID ?? null,
});

type Mapper = (properties: never) => AgentServerEvent | null;
// Keyed by OpenCode's event type (server.heartbeat is sent but missing from the SDK's union).
const EVENT_MAPPERS: Partial<Record<Event["type"] | "server.heartbeat", Mapper>> = {
  "server.connected": () => ({ type: "alive" }),
  "server.heartbeat": () => ({ type: "alive" }),
  "session.status": (p: { sessionID: string; status: OcStatus }) => ({
    type: "session.status",
    sessionId: p.sessionID,
    status: toStatus(p.status),
  }),
  "session.created": (p: { info: Session }) => ({ type: "session.updated", session: toSession(p.info) }),
  "session.updated": (p: { info: Session }) => ({ type: "session.updated", session: toSession(p.info) }),
  "session.deleted": (p: { info: Session }) => ({ type: "session.deleted", sessionId: p.info.id }),
  "session.error": (p: { sessionID?: string; error?: unknown }) => ({
    type: "session.error",
    sessionId: p.sessionID ?? null,
    message: errorText(p.error) ?? "the agent failed",
  }),
  "message.updated": (p: { info: Message }) => ({ type: "message.updated", message: toMessageInfo(p.info) }),
  "message.removed": (p: { sessionID: string; messageID: string }) => ({
    type: "message.removed",
    sessionId: p.sessionID,
    messageId: p.messageID,
  }),
  "message.part.updated": (p: { part: Part }) => {
    const part = toPart(p.part);
    return part && { type: "part.updated", sessionId: p.part.sessionID, messageId: p.part.messageID, part };
  },
  "message.part.removed": (p: { sessionID: string; messageID: string; partID: string }) => ({
    type: "part.removed",
    sessionId: p.sessionID,
    messageId: p.messageID,
    partId: p.partID,
  }),
  "message.part.delta": (p: {
    sessionID: string;
    messageID: string;
    partID: string;
    field: string;
    delta: string;
  }) => ({
    type: "part.delta",
    sessionId: p.sessionID,
    messageId: p.messageID,
    partId: p.partID,
    field: p.field,
    delta: p.delta,
  }),
  "permission.asked": (p: OcPermission) => ({ type: "permission.asked", permission: toPermission(p) }),
  "permission.replied": (p: { sessionID: string; requestID: string; reply: "once" | "always" | "reject" }) => ({
    type: "permission.replied",
    sessionId: p.sessionID,
    permissionId: p.requestID,
    reply: p.reply,
  }),
  "file.edited": (p: { file: string }) => ({ type: "file.edited", file: p.file }),
};

/** One SSE data payload of OpenCode's /event → a domain event, or null when not allow-listed. */
export function toEvent(raw: unknown): AgentServerEvent | null {
  if (!raw || typeof raw !== "object") return null;
  const { type, properties } = raw as { type?: string; properties?: unknown };
  const map = type ? EVENT_MAPPERS[type as keyof typeof EVENT_MAPPERS] : undefined;
  if (!map || !properties || typeof properties !== "object") return null;
  try {
    return map(properties as never);
  } catch {
    return null; // a shape this version did not announce: dropped, never relayed half-read
  }
}
