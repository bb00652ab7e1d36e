// The agent API's use cases: sessions, messages, prompts (durable, queued), abort, revert and
// permissions of a project's OpenCode server. Owner-scoped: another user's project is a 404.

import type {
  AgentServer,
  AgentServerConnector,
  AgentWorkStore,
  ModelSettings,
  PermissionReply,
  PromptRecord,
} from "../../ports/agent.port.js";
import { OPEN_PROMPT_STATUSES } from "../../ports/agent.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import { NOT_CONFIGURED } from "../../shared/agent-summary.js";
import { conflict, notFound } from "../../shared/errors.js";
import { reachableProject } from "../../shared/project-access.js";
import type { OpencodePasswords } from "./opencode-password.js";

export interface AgentServiceDeps {
  projects: { get(id: string): Promise<ProjectRecord | null> };
  settings: { effective(projectId: string): Promise<ModelSettings | null> };
  work: AgentWorkStore;
  agents: AgentServerConnector;
  audit: AuditLog;
  /** Wakes the prompt worker for this project. */
  wake: (projectId: string) => void;
  /** OpenCode's password: rotated here, the reconciler (woken) replaces the container. */
  passwords: Pick<OpencodePasswords, "rotate">;
  wakeReconciler: (projectId: string) => void;
  /** The agent state or queue changed (the events hub relays it). */
  changed: (projectId: string) => void;
  /**
   * Wakes a sleeping project (issue #15: one start, however many callers); a prompt or a new
   * session then waits up to `holdMs` for its agent, as the edge holds a request.
   */
  wakeAsleep?: { wake: (projectId: string) => Promise<unknown>; holdMs: number; pollMs?: number };
}

const projectNotFound = () => notFound("PROJECT_NOT_FOUND", "No such project");
const promptNotFound = () => notFound("PROMPT_NOT_FOUND", "No such queued prompt");

export function agentServiceFactory(deps: AgentServiceDeps) {
  const { projects, work, agents, audit } = deps;

  async function owned(principal: Principal, id: string) {
    return reachableProject(await projects.get(id), principal);
  }

  /** The project's agent server, or a 409 that says what to do. */
  function serverOf(p: ProjectRecord, configured: boolean): AgentServer {
    if (!configured) throw conflict("AGENT_NOT_CONFIGURED", NOT_CONFIGURED);
    const agent = p.services.find((s) => s.kind === "opencode");
    if (p.sleptAt && p.desiredState === "running" && p.status !== "running") {
      throw conflict(
        "AGENT_NOT_RUNNING",
        "The project is asleep. A prompt wakes it, as does POST /api/v1/projects/{id}/start or opening its preview",
      );
    }
    if (p.status !== "running" || agent?.health !== "healthy" || !agent.endpoint) {
      throw conflict(
        "AGENT_NOT_RUNNING",
        `The project's agent is not running (project ${p.status}); start the project and try again`,
      );
    }
    return agents.connect(p.id, agent.endpoint);
  }

  const agentUp = (p: ProjectRecord) =>
    p.status === "running" && p.services.some((s) => s.kind === "opencode" && s.health === "healthy");

  /** Wakes an asleep project and waits for its agent (or the hold, or a failure: serverOf says which). */
  async function awake(p: ProjectRecord): Promise<ProjectRecord> {
    const w = deps.wakeAsleep;
    if (!w || !p.sleptAt || p.desiredState !== "running") return p;
    await w.wake(p.id);
    const until = Date.now() + w.holdMs;
    for (;;) {
      const now = await projects.get(p.id);
      if (!now || agentUp(now) || now.status === "failed" || Date.now() >= until) return now ?? p;
      await new Promise((r) => setTimeout(r, w.pollMs ?? 100));
    }
  }

  /**
   * The project's agent server. `wake`: work for the agent (a prompt, a session) wakes a sleeping
   * project; reads do not (opening a sleeping project's page must leave it asleep).
   */
  async function ready(principal: Principal, id: string, opts: { wake?: boolean } = {}) {
    let p: ProjectRecord = await owned(principal, id);
    const configured = (await deps.settings.effective(p.id)) !== null;
    if (configured && opts.wake) p = await awake(p);
    return { p, server: serverOf(p, configured) };
  }

  const queueOf = async (projectId: string) => await work.listOpen(projectId);

  return {
    owned,
    /** A new OpenCode password; the old one stops working once the container is replaced. */
    async rotatePassword(principal: Principal, id: string) {
      const p = await owned(principal, id);
      const rotatedAt = await deps.passwords.rotate(p.id);
      await audit.record({ actorId: principal.userId, action: "agent.password.rotate", target: p.id });
      deps.wakeReconciler(p.id);
      return rotatedAt;
    },
    async sessions(principal: Principal, id: string) {
      const { p, server } = await ready(principal, id);
      const [sessions, statuses, queue] = await Promise.all([server.listSessions(), server.statuses(), queueOf(p.id)]);
      return sessions
        .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime())
        .map((s) => ({
          session: s,
          status: statuses[s.id] ?? { type: "idle" as const },
          queue: queue.filter((q) => q.sessionId === s.id),
        }));
    },
    async createSession(principal: Principal, id: string) {
      const { p, server } = await ready(principal, id, { wake: true });
      const session = await server.createSession({});
      await audit.record({ actorId: principal.userId, action: "agent.session.create", target: p.id });
      deps.changed(p.id);
      return session;
    },
    async messages(principal: Principal, id: string, sessionId: string) {
      const { server } = await ready(principal, id);
      if (!(await server.getSession(sessionId))) throw notFound("AGENT_SESSION_NOT_FOUND", "No such session");
      return server.messages(sessionId);
    },
    /** Queued, never refused: the worker sends it when the session is idle. */
    async prompt(principal: Principal, id: string, sessionId: string, text: string): Promise<PromptRecord> {
      const { p, server } = await ready(principal, id, { wake: true });
      if (!(await server.getSession(sessionId))) throw notFound("AGENT_SESSION_NOT_FOUND", "No such session");
      const prompt = await work.enqueue({ projectId: p.id, sessionId, text, userId: principal.userId });
      await audit.record({ actorId: principal.userId, action: "agent.prompt", target: p.id, data: { sessionId } });
      deps.changed(p.id);
      deps.wake(p.id);
      return prompt;
    },
    async queue(principal: Principal, id: string) {
      const p = await owned(principal, id);
      return queueOf(p.id);
    },
    /** Removes a prompt that has not been sent yet. */
    async cancelPrompt(principal: Principal, id: string, promptId: string) {
      const p = await owned(principal, id);
      const prompt = await work.get(promptId);
      if (!prompt || prompt.projectId !== p.id || !OPEN_PROMPT_STATUSES.includes(prompt.status)) throw promptNotFound();
      const canceled = await work.update(promptId, { status: "canceled", finishedAt: new Date() }, ["queued"]);
      if (!canceled) throw conflict("PROMPT_ALREADY_SENT", "The prompt was already sent; abort the session instead");
      deps.changed(p.id);
    },
    async abort(principal: Principal, id: string, sessionId: string) {
      const { p, server } = await ready(principal, id);
      if (!(await server.getSession(sessionId))) throw notFound("AGENT_SESSION_NOT_FOUND", "No such session");
      await server.abort(sessionId);
      await audit.record({ actorId: principal.userId, action: "agent.abort", target: p.id, data: { sessionId } });
      deps.wake(p.id);
    },
    async revert(principal: Principal, id: string, sessionId: string, messageId: string) {
      const { p, server } = await ready(principal, id);
      if (!(await server.getSession(sessionId))) throw notFound("AGENT_SESSION_NOT_FOUND", "No such session");
      if (!(await server.hasMessage(sessionId, messageId))) {
        throw notFound("AGENT_MESSAGE_NOT_FOUND", "No such message in this session");
      }
      await server.revert(sessionId, messageId);
      await audit.record({
        actorId: principal.userId,
        action: "agent.revert",
        target: p.id,
        data: { sessionId, messageId },
      });
      return server.getSession(sessionId);
    },
    async permissions(principal: Principal, id: string) {
      const { server } = await ready(principal, id);
      return server.permissions();
    },
    async reply(principal: Principal, id: string, permissionId: string, reply: PermissionReply) {
      const { p, server } = await ready(principal, id);
      if (!(await server.replyPermission(permissionId, reply))) {
        throw notFound("PERMISSION_NOT_FOUND", "No such pending permission request");
      }
      await audit.record({ actorId: principal.userId, action: "agent.permission", target: p.id, data: { reply } });
      deps.wake(p.id);
    },
    /** For sleep (#15): true while a turn runs or prompts wait. */
    async isBusy(projectId: string) {
      const [state, open] = await Promise.all([work.state(projectId), work.listOpen(projectId)]);
      return open.length > 0 || state?.state === "working" || state?.state === "waiting_permission";
    },
    /** For tasks (#14): a session working in another directory (a git worktree) of the project. */
    async createSessionIn(projectId: string, directory: string) {
      const p = await projects.get(projectId);
      if (!p) throw projectNotFound();
      return serverOf(p, (await deps.settings.effective(p.id)) !== null).createSession({ directory });
    },
  };
}

export type AgentService = ReturnType<typeof agentServiceFactory>;
