// The project's agent (an OpenCode server per project) in domain terms: its model settings,
// the durable prompt queue, its observed state, and the server itself. The vocabulary is
// defined here once; zod enums and the console derive from it.

export const AGENT_PROVIDERS = ["openai-compatible", "openrouter", "anthropic", "openai"] as const;
export type AgentProvider = (typeof AGENT_PROVIDERS)[number];

export const AGENT_STATES = ["idle", "working", "waiting_permission", "error"] as const;
export type AgentState = (typeof AGENT_STATES)[number];

/** A project created with a prompt: containers → agent working → ready (or agent failed). */
export const SETUP_PHASES = ["containers", "agent_working", "ready", "agent_failed"] as const;
export type SetupPhase = (typeof SETUP_PHASES)[number];

/** queued → sending (message id chosen, persisted) → sent → done | failed; canceled by a person. */
export const PROMPT_STATUSES = ["queued", "sending", "sent", "done", "failed", "canceled"] as const;
export type PromptStatus = (typeof PROMPT_STATUSES)[number];
export const OPEN_PROMPT_STATUSES: readonly PromptStatus[] = ["queued", "sending", "sent"];

export const PERMISSION_REPLIES = ["once", "always", "reject"] as const;
export type PermissionReply = (typeof PERMISSION_REPLIES)[number];

export const TOOL_STATUSES = ["pending", "running", "completed", "error"] as const;
export type ToolStatus = (typeof TOOL_STATUSES)[number];

// ---- settings ---------------------------------------------------------------------------

export type SettingsOwner = { userId: string } | { projectId: string };

export interface ModelSettings {
  provider: AgentProvider;
  baseUrl: string | null;
  model: string;
  apiKey: string;
}

/** What is stored: the key sealed, its last four characters for people to recognise it. */
export interface SealedSettings extends Omit<ModelSettings, "apiKey"> {
  apiKeySealed: string;
  apiKeyLast4: string;
  updatedAt: Date;
}

export interface AgentSettingsStore {
  get(owner: SettingsOwner): Promise<SealedSettings | null>;
  put(owner: SettingsOwner, settings: Omit<SealedSettings, "updatedAt">): Promise<SealedSettings>;
  clear(owner: SettingsOwner): Promise<void>;
  /** Projects (not deleted) of this owner without an override of their own: a user change reaches them. */
  projectsFollowing(userId: string): Promise<string[]>;
}

// ---- prompts and state ------------------------------------------------------------------

export interface PromptRecord {
  id: string;
  projectId: string;
  sessionId: string | null;
  text: string;
  status: PromptStatus;
  messageId: string | null;
  userId: string | null;
  error: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
  finishedAt: Date | null;
}

export interface AgentStateRecord {
  projectId: string;
  state: AgentState;
  sessionId: string | null;
  message: string | null;
  lastEventAt: Date | null;
  setup: SetupPhase;
  /** Why the setup failed (agent_failed). */
  setupMessage: string | null;
  initialPromptId: string | null;
}

export type PromptPatch = Partial<
  Pick<PromptRecord, "sessionId" | "status" | "messageId" | "error" | "attempts" | "sentAt" | "finishedAt">
>;

export interface AgentWorkStore {
  enqueue(prompt: {
    projectId: string;
    sessionId: string | null;
    text: string;
    userId: string | null;
  }): Promise<PromptRecord>;
  /** Queues the project's creation prompt once; null when it was queued before. */
  enqueueInitial(projectId: string, text: string, userId: string): Promise<PromptRecord | null>;
  get(id: string): Promise<PromptRecord | null>;
  /** Queued, sending and sent prompts of a project, oldest first. */
  listOpen(projectId: string): Promise<PromptRecord[]>;
  /** Updates a prompt still in one of `from`; false when it moved on (e.g. canceled meanwhile). */
  update(id: string, patch: PromptPatch, from: readonly PromptStatus[]): Promise<boolean>;
  /** Projects with open prompts, or a creation prompt not yet queued: the worker's periodic scan. */
  projectsWithOpenWork(): Promise<string[]>;
  state(projectId: string): Promise<AgentStateRecord | null>;
  setState(projectId: string, patch: Partial<Omit<AgentStateRecord, "projectId">>): Promise<AgentStateRecord>;
}

// ---- the OpenCode server ----------------------------------------------------------------

export interface AgentSession {
  id: string;
  title: string;
  directory: string;
  createdAt: Date;
  updatedAt: Date;
  /** Set while the session's changes from this message on are reverted. */
  revertedFrom: string | null;
}

export type SessionStatus =
  | { type: "idle" }
  | { type: "busy" }
  | { type: "retry"; attempt: number; message: string; next: number };

export type AgentPart =
  | { type: "text"; id: string; text: string }
  | { type: "reasoning"; id: string; text: string }
  | {
      type: "tool";
      id: string;
      callId: string;
      tool: string;
      status: ToolStatus;
      title: string | null;
      input: Record<string, unknown>;
      output: string | null;
      error: string | null;
    }
  /** Files the step changed (OpenCode's snapshot patch). */
  | { type: "files"; id: string; files: string[] };

export interface AgentMessageInfo {
  id: string;
  sessionId: string;
  role: "user" | "assistant";
  parentId: string | null;
  createdAt: Date;
  completedAt: Date | null;
  /** The provider's or OpenCode's error that ended this reply. */
  error: string | null;
}

export interface AgentMessage extends AgentMessageInfo {
  parts: AgentPart[];
}

export interface PermissionRequest {
  id: string;
  sessionId: string;
  permission: string;
  patterns: string[];
  callId: string | null;
  messageId: string | null;
}

/** OpenCode's events, allow-listed and reduced to what the console shows. */
export type AgentServerEvent =
  | { type: "session.status"; sessionId: string; status: SessionStatus }
  | { type: "session.updated"; session: AgentSession }
  | { type: "session.deleted"; sessionId: string }
  | { type: "session.error"; sessionId: string | null; message: string }
  | { type: "message.updated"; message: AgentMessageInfo }
  | { type: "message.removed"; sessionId: string; messageId: string }
  | { type: "part.updated"; sessionId: string; messageId: string; part: AgentPart }
  | { type: "part.removed"; sessionId: string; messageId: string; partId: string }
  | { type: "part.delta"; sessionId: string; messageId: string; partId: string; field: string; delta: string }
  | { type: "permission.asked"; permission: PermissionRequest }
  | { type: "permission.replied"; sessionId: string; permissionId: string; reply: PermissionReply }
  | { type: "file.edited"; file: string }
  /** Liveness only (OpenCode's heartbeat and first event); never relayed. */
  | { type: "alive" };

export interface AgentServer {
  listSessions(): Promise<AgentSession[]>;
  /** `key` is kept in the session's metadata so a retried create finds the first one. */
  createSession(opts: { directory?: string; key?: string }): Promise<AgentSession>;
  findSessionByKey(key: string): Promise<AgentSession | null>;
  getSession(sessionId: string): Promise<AgentSession | null>;
  /** Sessions that are not idle; a session missing here is idle. */
  statuses(): Promise<Record<string, SessionStatus>>;
  messages(sessionId: string): Promise<AgentMessage[]>;
  hasMessage(sessionId: string, messageId: string): Promise<boolean>;
  /** Answers at once; the turn runs on the server. Resending the same messageId is idempotent. */
  prompt(sessionId: string, prompt: { messageId: string; text: string }): Promise<void>;
  abort(sessionId: string): Promise<void>;
  revert(sessionId: string, messageId: string): Promise<void>;
  permissions(): Promise<PermissionRequest[]>;
  /** false when no such request is pending. */
  replyPermission(permissionId: string, reply: PermissionReply): Promise<boolean>;
  /** The event stream of the project's directory until `signal` aborts or the server drops it. */
  events(signal: AbortSignal): AsyncIterable<AgentServerEvent>;
}

export interface AgentServerConnector {
  /** The project's OpenCode server at the endpoint the reconciler recorded; `directory` scopes it (a task's worktree). */
  connect(projectId: string, endpoint: string, opts?: { directory?: string }): AgentServer;
  /** A message id in the server's own format, chosen before sending so a resend can reuse it. */
  newMessageId(): string;
}
