// Drives tasks forward in the background, level-triggered like the reconciler: woken after a
// write and by a periodic scan, one pass per task at a time across every control-plane process
// (an advisory lock per task, held for the pass). A pass:
//  1. agent working (in_progress): sends the task's prompt once (its message id was stored
//     before), follows the session; when it is idle with its reply complete, commits the
//     worktree on the task branch. No change: flagged emptyDiff, left in in_progress. Else → qa.
//  2. qa with a run not finished: runs the gates. The lock is held for the whole run, so a pass
//     that finds a run "running" knows its runner is gone (a SIGKILLed process loses its locks
//     with its connections): it runs the gates again from the first. Then → review.
//  3. review: the task's own preview is up; any other status: it is removed.
import type { AgentMessage, AgentServerConnector } from "../../ports/agent.port.js";
import { AGENT_AUTHOR, type TaskGit } from "../../ports/project-git.port.js";
import type { ProjectLocks, ProjectRecord } from "../../ports/projects.port.js";
import type { QaGateStore, QaResults, TaskChanges, TaskRecord, TaskStore } from "../../ports/tasks.port.js";
import type { TemplateStore } from "../../ports/templates.port.js";
import type { TaskStatus } from "../../ports/vocabulary.js";
import { keyedWorkQueue } from "../../reconciler/work-queue.js";
import { workspaceTargetOf } from "../../shared/workspace-target.js";
import type { GateRunner } from "./gate-runner.js";
import { freshResults } from "./qa-gates.js";
import type { TaskPreviews } from "./task-preview.js";
import { gateSpecOf, gatesOf, taskAgent, taskTree, worktreeIn } from "./task-work.js";

export interface TaskWorkerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface TaskWorkerDeps {
  store: TaskStore;
  projects: { get(id: string): Promise<ProjectRecord | null> };
  templates: Pick<TemplateStore, "get">;
  gateStore: QaGateStore;
  git: TaskGit;
  /** The project's git work, one step at a time (shared with the task service). */
  serially: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Without it (no agent composed), tasks are worked by hand: gates and previews still run. */
  agents?: AgentServerConnector;
  gates: GateRunner;
  previews: TaskPreviews;
  locks: ProjectLocks;
  log: TaskWorkerLog;
  /** A task's agent or gates at work count as the project's activity: it does not fall asleep under them. */
  activity?: { touch(projectId: string): void };
  intervalMs?: number;
  concurrency?: number;
  /** A sent prompt that shows no sign of being run after this long is sent once more, then fails. */
  resendAfterMs?: number;
  /** How often a starting task preview checks that its task is still in review. */
  previewWatchMs?: number;
}

/** The text the agent ended its turn with, bounded (a commit message, a card's line). */
function summaryOf(reply: AgentMessage): string | null {
  const text = reply.parts
    .flatMap((part) => (part.type === "text" ? [part.text] : []))
    .join("\n")
    .trim();
  return text ? text.slice(0, 4000) : null;
}

const keyOf = (projectId: string, n: number) => `${projectId}:${n}`;
const SEP = ":";

export function taskWorker(deps: TaskWorkerDeps) {
  const { store, log } = deps;
  const resendAfterMs = deps.resendAfterMs ?? 10_000;
  const previewWatchMs = deps.previewWatchMs ?? 500;
  const activity = new Map<string, string>();
  const resent = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  /** Aborted on stop: a gate run or a preview's health wait does not hold the shutdown up. */
  const shutdown = new AbortController();

  const update = (t: TaskRecord, changes: TaskChanges, from: readonly TaskStatus[]) =>
    store.update(t.projectId, t.n, changes, from);

  async function driveAgent(p: ProjectRecord, task: TaskRecord) {
    const server = deps.agents ? taskAgent(deps.agents, p, task.n) : null;
    if (!server || !task.sessionId || !task.agentMessageId) return;
    const sid = task.sessionId;
    const mid = task.agentMessageId;
    const key = keyOf(p.id, task.n);
    if (!task.agentSentAt) {
      if (!(await server.hasMessage(sid, mid)))
        await server.prompt(sid, { messageId: mid, text: task.agentPrompt ?? "" });
      const sent = await update(task, { agentSentAt: new Date(), agentActivityAt: new Date() }, ["in_progress"]);
      if (!sent) return;
      task = sent;
    }
    const [statuses, messages] = await Promise.all([server.statuses(), server.messages(sid)]);
    // The time of the last tool call or file write: when the session's parts of those kinds change.
    const mark = messages
      .flatMap((m) => m.parts)
      .filter((part) => part.type === "tool" || part.type === "files")
      .map((part) => (part.type === "tool" ? `${part.callId}:${part.status}` : part.id))
      .join(",");
    if (activity.has(key) && activity.get(key) !== mark) {
      const moved = await update(task, { agentActivityAt: new Date() }, ["in_progress"]);
      if (moved) task = moved;
    }
    activity.set(key, mark);
    const status = statuses[sid];
    if (status?.type === "retry" && status.attempt >= 3) {
      await server.abort(sid).catch(() => {});
      await update(task, { agentState: "error", agentError: `The model endpoint did not answer: ${status.message}` }, [
        "in_progress",
      ]);
      return;
    }
    if (status && status.type !== "idle") return;
    const reply = messages.filter((m) => m.role === "assistant" && m.parentId === mid).at(-1);
    if (!reply) {
      const waited = Date.now() - (task.agentSentAt?.getTime() ?? Date.now());
      if (waited < resendAfterMs) return;
      // Accepted (204) but never run: a known 1.x fault. Once more with the same id, then give up.
      if (!resent.has(`${key}:${mid}`)) {
        resent.add(`${key}:${mid}`);
        await server.prompt(sid, { messageId: mid, text: task.agentPrompt ?? "" });
        await update(task, { agentSentAt: new Date() }, ["in_progress"]);
        return;
      }
      await update(task, { agentState: "error", agentError: "The agent accepted the prompt but did not run it" }, [
        "in_progress",
      ]);
      return;
    }
    if (reply.error) {
      await update(task, { agentState: "error", agentError: reply.error }, ["in_progress"]);
      return;
    }
    if (!reply.completedAt) return;
    await finishTurn(p, task, summaryOf(reply));
  }

  /** The agent's turn is over: its work committed on the task branch; empty → flagged, else → qa. */
  async function finishTurn(p: ProjectRecord, task: TaskRecord, agentSummary: string | null) {
    const t = await workspaceTargetOf(deps.templates, p);
    const tree = taskTree(task.n);
    const diff = await deps.serially(p.id, async () => {
      await deps.git.commitTree(t, tree, {
        message: `Task ${task.n}: ${task.title}\n\nThe agent's work (session ${task.sessionId}).`,
        author: AGENT_AUTHOR,
      });
      return deps.git.treeDiff(t, tree, { base: task.baseCommit ?? "HEAD", maxBytes: 64 * 1024 });
    });
    const now = new Date();
    if (diff.stats.files === 0) {
      await update(
        task,
        { agentState: "done", agentError: null, agentSummary, emptyDiff: true, agentActivityAt: now },
        ["in_progress"],
      );
      return;
    }
    const template = await deps.templates.get(p.templateId);
    const { gates } = await gatesOf(deps.gateStore, template, p.id);
    const results = freshResults(gates, now);
    await update(
      task,
      {
        agentState: "done",
        agentError: null,
        agentSummary,
        emptyDiff: false,
        status: results.status === "running" ? "qa" : "review",
        qaResults: results,
      },
      ["in_progress"],
    );
  }

  async function runQa(p: ProjectRecord, task: TaskRecord) {
    const template = await deps.templates.get(p.templateId);
    const spec = gateSpecOf(template);
    const results = task.qaResults as QaResults;
    if (!spec) {
      await update(task, { status: "review", qaResults: { ...results, status: "passed", gates: [] } }, ["qa"]);
      return;
    }
    const startedAt = results.startedAt;
    const final = await deps.gates.run({
      project: { id: p.id, slug: p.slug },
      n: task.n,
      spec,
      workdir: worktreeIn(task.n),
      results,
      signal: shutdown.signal,
      // Saved only while the task is in qa and this run is the current one (a re-run request restarts it).
      save: async (r) => {
        deps.activity?.touch(p.id);
        const now = await store.get(p.id, task.n);
        if (now?.status !== "qa" || now.qaResults?.startedAt !== startedAt) return false;
        return (await update(task, { qaResults: r }, ["qa"])) !== null;
      },
    });
    if (!final) {
      if (!shutdown.signal.aborted) await deps.gates.removeAll(p.id, task.n);
      return;
    }
    const latest = await store.get(p.id, task.n);
    if (latest?.qaResults?.startedAt === startedAt) await update(task, { status: "review" }, ["qa"]);
  }

  async function keepPreview(p: ProjectRecord, task: TaskRecord) {
    if (task.status !== "review") {
      if (task.previewContainerId || task.previewTarget) {
        await deps.previews.remove(p.id, task.n);
        await store.update(p.id, task.n, { previewContainerId: null, previewTarget: null });
      }
      return;
    }
    if (p.status !== "running") return;
    if (task.previewContainerId && (await deps.previews.running(task.previewContainerId))) return;
    const spec = (await deps.templates.get(p.templateId))?.services.preview;
    if (!spec) return;
    await deps.previews.remove(p.id, task.n);
    // The task may leave review while its preview comes up (sent back, approved, its QA re-run):
    // the start is then abandoned at once, not after the health wait, which would hold the task's
    // next pass (its gates) for as long as the preview takes to answer or to give up.
    const left = new AbortController();
    const watch = setInterval(() => {
      store.get(p.id, task.n).then(
        (now) => now?.status !== "review" && left.abort(),
        () => {},
      );
    }, previewWatchMs);
    let started: { containerId: string; endpoint: string };
    try {
      const signal = AbortSignal.any([shutdown.signal, left.signal]);
      started = await deps.previews.start(p, task.n, spec, worktreeIn(task.n), signal);
    } catch (err) {
      if (!left.signal.aborted) throw err;
      queue.add(keyOf(p.id, task.n));
      return;
    } finally {
      clearInterval(watch);
    }
    const kept = await update(task, { previewContainerId: started.containerId, previewTarget: started.endpoint }, [
      "review",
    ]);
    // It left review while the preview started: the next pass removes it.
    if (!kept) queue.add(keyOf(p.id, task.n));
  }

  async function pass(projectId: string, n: number) {
    let task = await store.get(projectId, n);
    const p = await deps.projects.get(projectId);
    if (!task || !p || p.status === "deleted" || p.desiredState === "deleted") return;
    if (task.status === "in_progress" && task.agentState === "working") {
      deps.activity?.touch(projectId);
      await driveAgent(p, task);
      task = await store.get(projectId, n);
    }
    if (task?.status === "qa" && task.qaResults?.status === "running") {
      await runQa(p, task);
      task = await store.get(projectId, n);
    }
    if (task) await keepPreview(p, task);
  }

  const queue = keyedWorkQueue(deps.concurrency ?? 4, async (key) => {
    if (stopped) return;
    const at = key.lastIndexOf(SEP);
    const projectId = key.slice(0, at);
    const n = Number(key.slice(at + 1));
    try {
      await deps.locks.tryRun(key, () => pass(projectId, n));
    } catch (err) {
      log.warn({ err, projectId, n }, "task pass failed; retrying on the next scan");
    }
  });

  /** Previews of tasks that are gone (deleted rows): nobody else would remove them. */
  async function sweepPreviews() {
    for (const c of await deps.previews.all()) {
      const projectId = c.labels["devsanctum.project"];
      const n = Number(c.labels["devsanctum.task"]);
      if (!projectId || !n) continue;
      const t = await store.get(projectId, n);
      if (!t || (t.status !== "review" && !t.previewContainerId)) await deps.previews.remove(projectId, n);
    }
  }

  async function scan() {
    try {
      for (const t of await store.listActive()) queue.add(keyOf(t.projectId, t.n));
      await sweepPreviews();
    } catch (err) {
      log.warn({ err }, "task scan failed");
    }
  }

  return {
    start() {
      void scan();
      timer = setInterval(() => void scan(), deps.intervalMs ?? 1000);
      timer.unref();
    },
    wake: (projectId: string, n: number) => {
      if (!stopped) queue.add(keyOf(projectId, n));
    },
    idle: () => queue.idle(),
    async stop() {
      stopped = true;
      shutdown.abort();
      clearInterval(timer);
      await Promise.race([queue.idle(), new Promise((r) => setTimeout(r, 5000))]);
      if (queue.size) log.warn({ passes: queue.size }, "task passes still running at shutdown");
    },
  };
}

export type TaskWorker = ReturnType<typeof taskWorker>;
