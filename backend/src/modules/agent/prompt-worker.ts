// Prompts are durable work. This worker drives each project's queue under the project's agent
// lock (one worker per project across every control-plane process), level-triggered like the
// reconciler: woken on enqueue and on agent events, and by a periodic scan.
//
// Exactly once across crashes: a prompt's OpenCode message id is chosen and committed
// (status `sending`) before the request goes out. A pass that finds a prompt still `sending`
// (the process died around the send) asks OpenCode whether that message exists: if it does,
// the prompt was sent; if not, it is sent again with the same id, which OpenCode treats as the
// same message (an answered message is not answered twice).
import type {
  AgentServer,
  AgentServerConnector,
  AgentState,
  AgentStateRecord,
  AgentWorkStore,
  ModelSettings,
  PromptRecord,
  SessionStatus,
} from "../../ports/agent.port.js";
import type { ProjectLocks, ProjectRecord } from "../../ports/projects.port.js";
import { keyedWorkQueue } from "../../reconciler/work-queue.js";

import { NOT_CONFIGURED } from "../../shared/agent-summary.js";

export interface TurnFinished {
  projectId: string;
  sessionId: string;
  promptId: string;
  messageId: string;
  text: string;
  status: "done" | "failed";
  error: string | null;
}

export interface PromptWorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface PromptWorkerDeps {
  work: AgentWorkStore;
  projects: { get(id: string): Promise<ProjectRecord | null> };
  settings: { effective(projectId: string): Promise<ModelSettings | null> };
  agents: AgentServerConnector;
  locks: ProjectLocks;
  log: PromptWorkerLog;
  /** The project's agent state or queue changed (the events hub relays it). */
  changed: (projectId: string) => void;
  /** When the project's agent last emitted an event (the events hub knows). */
  lastEventAt?: (projectId: string) => Date | null;
  /** Keeps the project's event subscriber open while a turn runs (it wakes this worker). */
  hold?: (projectId: string) => () => void;
  /** Resolves once that subscriber is connected, so the turn's events are all relayed. */
  connected?: (projectId: string) => Promise<unknown>;
  /** Each finished turn (#13 commits the agent's work here). Failures are logged, not retried. */
  onTurnFinished?: (turn: TurnFinished) => Promise<void> | void;
  intervalMs?: number;
  /** A sent prompt whose session shows no sign of it after this long is sent once more. */
  resendAfterMs?: number;
  /** OpenCode retries an unreachable model forever; after this many attempts the turn is aborted. */
  maxModelRetries?: number;
  concurrency?: number;
  now?: () => number;
}

const isBusy = (s: SessionStatus | undefined) => s !== undefined && s.type !== "idle";

export function promptWorker(deps: PromptWorkerDeps) {
  const { work, agents, log } = deps;
  const now = deps.now ?? Date.now;
  const resendAfterMs = deps.resendAfterMs ?? 8000;
  const maxModelRetries = deps.maxModelRetries ?? 3;
  const holds = new Map<string, () => void>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function setState(projectId: string, was: AgentStateRecord | null, patch: Partial<AgentStateRecord>) {
    const lastEventAt = deps.lastEventAt?.(projectId) ?? was?.lastEventAt ?? null;
    const next = { ...patch, ...(lastEventAt ? { lastEventAt } : {}) };
    const same = was && Object.entries(next).every(([k, v]) => String(was[k as keyof AgentStateRecord]) === String(v));
    if (same) return was;
    const saved = await work.setState(projectId, next);
    deps.changed(projectId);
    return saved;
  }

  async function finish(p: ProjectRecord, prompt: PromptRecord, error: string | null, state: AgentStateRecord | null) {
    const status = error ? "failed" : "done";
    if (!(await work.update(prompt.id, { status, error, finishedAt: new Date(now()) }, ["sent", "sending"]))) return;
    if (state?.initialPromptId === prompt.id) {
      await setState(p.id, state, error ? { setup: "agent_failed", setupMessage: error } : { setup: "ready" });
    }
    if (!prompt.sessionId || !prompt.messageId) return;
    try {
      await deps.onTurnFinished?.({
        projectId: p.id,
        sessionId: prompt.sessionId,
        promptId: prompt.id,
        messageId: prompt.messageId,
        text: prompt.text,
        status,
        error,
      });
    } catch (err) {
      log.warn({ err, projectId: p.id }, "onTurnFinished failed");
    }
  }

  /** What the session shows of a sent prompt: finished (with an error or not), running, or absent. */
  async function progressOf(server: AgentServer, prompt: PromptRecord) {
    const messages = await server.messages(prompt.sessionId as string);
    if (!messages.some((m) => m.id === prompt.messageId)) return { kind: "absent" as const };
    const replies = messages.filter((m) => m.role === "assistant" && m.parentId === prompt.messageId);
    const last = replies.at(-1);
    if (!last) return { kind: "unanswered" as const };
    if (last.error) return { kind: "finished" as const, error: last.error };
    return last.completedAt ? { kind: "finished" as const, error: null } : { kind: "running" as const };
  }

  async function send(server: AgentServer, prompt: PromptRecord & { sessionId: string }, messageId: string) {
    await server.prompt(prompt.sessionId, { messageId, text: prompt.text });
    await work.update(prompt.id, { status: "sent", sentAt: new Date(now()) }, ["sending"]);
  }

  async function pass(projectId: string) {
    const p = await deps.projects.get(projectId);
    // An unclaimed warm-pool instance has no prompt and nobody to answer to.
    if (!p || p.status === "deleted" || p.desiredState === "deleted" || p.ownerId === null) return;
    let state = await work.state(projectId);
    if (p.prompt?.trim() && !state?.initialPromptId) {
      await work.enqueueInitial(p.id, p.prompt, p.ownerId);
      state = await work.state(projectId);
      deps.changed(projectId);
    }
    const open = await work.listOpen(projectId);
    if (!(await deps.settings.effective(projectId))) {
      if (open.length) await setState(projectId, state, { state: "idle", message: NOT_CONFIGURED });
      return;
    }
    const agent = p.services.find((s) => s.kind === "opencode");
    if (p.status !== "running" || agent?.health !== "healthy" || !agent.endpoint) return;
    const server = agents.connect(p.id, agent.endpoint);
    const statuses = await server.statuses();
    let failure: string | null = null;
    const inFlight = new Set<string>();

    for (const prompt of open) {
      if (prompt.status === "queued") continue;
      const sessionId = prompt.sessionId as string;
      inFlight.add(sessionId);
      const status = statuses[sessionId];
      if (prompt.status === "sending") {
        // The process stopped around the send: was it received?
        if (await server.hasMessage(sessionId, prompt.messageId as string)) {
          await work.update(prompt.id, { status: "sent", sentAt: new Date(now()) }, ["sending"]);
        } else {
          log.info({ projectId, promptId: prompt.id }, "resending a prompt interrupted by a restart (same message id)");
          await send(server, { ...prompt, sessionId }, prompt.messageId as string);
        }
        continue;
      }
      if (status?.type === "retry" && status.attempt >= maxModelRetries) {
        failure = `The model endpoint did not answer: ${status.message}`;
        await server.abort(sessionId);
        await finish(p, prompt, failure, state);
        continue;
      }
      if (isBusy(status)) continue;
      const progress = await progressOf(server, prompt);
      if (progress.kind === "finished") {
        if (progress.error) failure = progress.error;
        await finish(p, prompt, progress.error, state);
        inFlight.delete(sessionId);
      } else if (progress.kind !== "running" && now() - (prompt.sentAt?.getTime() ?? 0) > resendAfterMs) {
        // Accepted (204) but never run: a known 1.x fault. Once more with the same id, then give up.
        if (prompt.attempts >= 2) {
          failure = "The agent accepted the prompt but did not run it";
          await finish(p, prompt, failure, state);
          inFlight.delete(sessionId);
        } else {
          await work.update(prompt.id, { status: "sending", attempts: prompt.attempts + 1 }, ["sent"]);
          await send(server, { ...prompt, sessionId }, prompt.messageId as string);
        }
      }
    }

    // Next: the oldest queued prompt of each session that is idle and has nothing in flight.
    for (const prompt of open) {
      if (prompt.status !== "queued") continue;
      let sessionId = prompt.sessionId;
      if (sessionId && (inFlight.has(sessionId) || isBusy(statuses[sessionId]))) continue;
      if (!sessionId) {
        // The creation prompt: its session is made once (found again by key after a crash).
        const session = (await server.findSessionByKey(prompt.id)) ?? (await server.createSession({ key: prompt.id }));
        sessionId = session.id;
        await work.update(prompt.id, { sessionId }, ["queued"]);
      }
      if (deps.hold && !holds.has(projectId)) holds.set(projectId, deps.hold(projectId));
      await deps.connected?.(projectId);
      const messageId = agents.newMessageId();
      const claimed = await work.update(
        prompt.id,
        { status: "sending", messageId, sessionId, attempts: prompt.attempts + 1 },
        ["queued"],
      );
      if (!claimed) continue; // canceled meanwhile
      await send(server, { ...prompt, sessionId }, messageId);
      inFlight.add(sessionId);
      statuses[sessionId] = { type: "busy" };
      state = await setState(projectId, state, {
        sessionId,
        ...(state?.initialPromptId === prompt.id ? { setup: "agent_working" } : {}),
      });
    }

    const permissions = inFlight.size || Object.keys(statuses).length ? await server.permissions() : [];
    const retrying = Object.values(statuses).find((s) => s.type === "retry");
    let next: AgentState = "idle";
    let message: string | null = null;
    if (permissions.length) next = "waiting_permission";
    else if (retrying?.type === "retry") {
      next = "error";
      message = `The model endpoint did not answer: ${retrying.message} (attempt ${retrying.attempt}, retrying)`;
    } else if (Object.values(statuses).some(isBusy) || inFlight.size) next = "working";
    else if (failure) {
      next = "error";
      message = failure;
    } else if (state?.state === "error" && !open.length) {
      next = "error";
      message = state.message;
    }
    await setState(projectId, state, { state: next, message });

    // Keep the event subscriber open while something runs; it wakes us when the turn ends.
    const busy = inFlight.size > 0 || (await work.listOpen(projectId)).length > 0;
    if (busy && deps.hold && !holds.has(projectId)) holds.set(projectId, deps.hold(projectId));
    if (!busy) {
      holds.get(projectId)?.();
      holds.delete(projectId);
    }
  }

  const queue = keyedWorkQueue(deps.concurrency ?? 4, async (projectId) => {
    if (stopped) return;
    try {
      await deps.locks.tryRun(projectId, () => pass(projectId));
    } catch (err) {
      log.warn({ err, projectId }, "agent prompt pass failed; retrying on the next scan");
    }
  });

  async function scan() {
    try {
      for (const id of await work.projectsWithOpenWork()) queue.add(id);
    } catch (err) {
      log.error({ err }, "agent prompt scan failed");
    }
  }

  return {
    start() {
      void scan();
      timer = setInterval(() => void scan(), deps.intervalMs ?? 1000);
      timer.unref();
    },
    wake: (projectId: string) => queue.add(projectId),
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      clearInterval(timer);
      for (const release of holds.values()) release();
      holds.clear();
      await Promise.race([queue.idle(), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export type PromptWorker = ReturnType<typeof promptWorker>;
