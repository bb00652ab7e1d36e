// Typed fakes for the agent's service tests: an in-memory work store and a scripted OpenCode
// server. The real ones run in agent.integration.test.ts against a real OpenCode.
import { randomUUID } from "node:crypto";
import type {
  AgentMessage,
  AgentServer,
  AgentServerConnector,
  AgentServerEvent,
  AgentSession,
  AgentStateRecord,
  AgentWorkStore,
  PermissionRequest,
  PromptRecord,
  SessionStatus,
} from "../../src/ports/agent.port.js";
import { OPEN_PROMPT_STATUSES } from "../../src/ports/agent.port.js";
import type { ProjectRecord } from "../../src/ports/projects.port.js";

export function memoryWorkStore(): AgentWorkStore & { prompts: PromptRecord[]; states: Map<string, AgentStateRecord> } {
  const prompts: PromptRecord[] = [];
  const states = new Map<string, AgentStateRecord>();
  const blank = (projectId: string): AgentStateRecord => ({
    projectId,
    state: "idle",
    sessionId: null,
    message: null,
    lastEventAt: null,
    setup: "containers",
    setupMessage: null,
    initialPromptId: null,
  });
  const add = (p: Pick<PromptRecord, "projectId" | "sessionId" | "text" | "userId">): PromptRecord => {
    const record: PromptRecord = {
      ...p,
      id: randomUUID(),
      status: "queued",
      messageId: null,
      error: null,
      attempts: 0,
      createdAt: new Date(Date.now() + prompts.length),
      sentAt: null,
      finishedAt: null,
    };
    prompts.push(record);
    return record;
  };
  return {
    prompts,
    states,
    async enqueue(p) {
      return { ...add(p) };
    },
    async enqueueInitial(projectId, text, userId) {
      const s = states.get(projectId) ?? blank(projectId);
      if (s.initialPromptId) return null;
      const p = add({ projectId, sessionId: null, text, userId });
      states.set(projectId, { ...s, initialPromptId: p.id });
      return { ...p };
    },
    async get(id) {
      const p = prompts.find((x) => x.id === id);
      return p ? { ...p } : null;
    },
    async listOpen(projectId) {
      return prompts
        .filter((p) => p.projectId === projectId && OPEN_PROMPT_STATUSES.includes(p.status))
        .map((p) => ({ ...p }));
    },
    async update(id, patch, from) {
      const p = prompts.find((x) => x.id === id);
      if (!p || !from.includes(p.status)) return false;
      Object.assign(p, patch);
      return true;
    },
    async projectsWithOpenWork() {
      return [...new Set(prompts.filter((p) => OPEN_PROMPT_STATUSES.includes(p.status)).map((p) => p.projectId))];
    },
    async state(projectId) {
      return states.get(projectId) ?? null;
    },
    async setState(projectId, patch) {
      const next = { ...(states.get(projectId) ?? blank(projectId)), ...patch };
      states.set(projectId, next);
      return next;
    },
  };
}

/** A scripted OpenCode server: sessions, messages and statuses a test sets; records prompts. */
export function fakeAgentServer() {
  const sessions: AgentSession[] = [];
  const messages = new Map<string, AgentMessage[]>();
  const statuses: Record<string, SessionStatus> = {};
  const permissions: PermissionRequest[] = [];
  const prompts: Array<{ sessionId: string; messageId: string; text: string }> = [];
  const aborted: string[] = [];
  let ids = 0;
  /** What a prompt does to the session: by default the model answers at once. */
  let onPrompt = (sessionId: string, messageId: string) => {
    answer(sessionId, messageId);
  };
  const answer = (sessionId: string, messageId: string, error: string | null = null) => {
    const list = messages.get(sessionId) ?? [];
    list.push({
      id: `msg_reply${++ids}`,
      sessionId,
      role: "assistant",
      parentId: messageId,
      createdAt: new Date(),
      completedAt: new Date(),
      error,
      parts: [],
    });
    messages.set(sessionId, list);
  };
  const server: AgentServer = {
    async listSessions() {
      return [...sessions];
    },
    async createSession({ key }) {
      const s: AgentSession = {
        id: `ses_${++ids}${key ? `_${key.slice(0, 8)}` : ""}`,
        title: "New session",
        directory: "/app",
        createdAt: new Date(),
        updatedAt: new Date(),
        revertedFrom: null,
      };
      sessions.push(s);
      return s;
    },
    async findSessionByKey(key) {
      return sessions.find((s) => s.id.endsWith(`_${key.slice(0, 8)}`)) ?? null;
    },
    async getSession(id) {
      return sessions.find((s) => s.id === id) ?? null;
    },
    async statuses() {
      return { ...statuses };
    },
    async messages(sessionId) {
      return [...(messages.get(sessionId) ?? [])];
    },
    async hasMessage(sessionId, messageId) {
      return (messages.get(sessionId) ?? []).some((m) => m.id === messageId);
    },
    async prompt(sessionId, { messageId, text }) {
      prompts.push({ sessionId, messageId, text });
      const list = messages.get(sessionId) ?? [];
      if (!list.some((m) => m.id === messageId)) {
        list.push({
          id: messageId,
          sessionId,
          role: "user",
          parentId: null,
          createdAt: new Date(),
          completedAt: null,
          error: null,
          parts: [{ type: "text", id: `prt_${++ids}`, text }],
        });
      }
      messages.set(sessionId, list);
      onPrompt(sessionId, messageId);
    },
    async abort(sessionId) {
      aborted.push(sessionId);
      delete statuses[sessionId];
    },
    async revert() {},
    async permissions() {
      return [...permissions];
    },
    async replyPermission() {
      return true;
    },
    async *events(): AsyncIterable<AgentServerEvent> {},
  };
  let n = 0;
  const connector: AgentServerConnector = {
    connect: () => server,
    newMessageId: () => `msg_${String(++n).padStart(4, "0")}`,
  };
  return {
    server,
    connector,
    sessions,
    messages,
    statuses,
    permissions,
    prompts,
    aborted,
    answer,
    /** Replaces what a prompt does (e.g. the session turns busy and stays so). */
    onPrompt(fn: (sessionId: string, messageId: string) => void) {
      onPrompt = fn;
    },
  };
}

export function runningProject(overrides: Partial<ProjectRecord> = {}): ProjectRecord {
  return {
    id: randomUUID(),
    name: "P",
    slug: "p",
    templateId: randomUUID(),
    templateName: "T",
    prompt: null,
    ownerId: randomUUID(),
    poolKey: null,
    desiredState: "running",
    keepData: false,
    status: "running",
    statusMessage: null,
    generation: 1,
    seededAt: new Date(),
    lastActivityAt: new Date(),
    idleTimeoutSeconds: null,
    sleptAt: null,
    productionIdle: false,
    createdAt: new Date(),
    updatedAt: new Date(),
    services: [
      {
        kind: "opencode",
        containerId: "c1",
        endpoint: "http://127.0.0.1:1",
        observedState: "running",
        health: "healthy",
        restartCount: 0,
        lastError: null,
      },
    ],
    ...overrides,
  };
}
