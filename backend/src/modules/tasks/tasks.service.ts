// The project's task board (issue #14): tasks as records, each run on its own branch and git
// worktree inside the project (never touching the main tree or another task's files), reviewed
// as a diff against its base commit, and merged into the main tree as one commit on approval.

import type { AccountStore } from "../../ports/account.port.js";
import type { AgentServerConnector } from "../../ports/agent.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { GitPerson, TaskGit } from "../../ports/project-git.port.js";
import type { ProjectRecord, ProjectSignals } from "../../ports/projects.port.js";
import type {
  QaGateStore,
  ReviewComment,
  ReviewRound,
  TaskChanges,
  TaskRecord,
  TaskStore,
} from "../../ports/tasks.port.js";
import type { QaGate, TemplateStore } from "../../ports/templates.port.js";
import type { TaskStatus } from "../../ports/vocabulary.js";
import { conflict, DomainError, notFound } from "../../shared/errors.js";
import { gitAuthorOf } from "../../shared/git-author.js";
import { keyedQueue } from "../../shared/keyed-queue.js";
import { type PublicHosts, taskPreviewUrl } from "../../shared/project-urls.js";
import { workspaceTargetOf } from "../../shared/workspace-target.js";
import { blockingGate, cancelledResults, freshResults } from "./qa-gates.js";
import { changesPrompt, gatesOf, taskAgent, taskPrompt, taskTree, worktreeIn } from "./task-work.js";

export { taskTree } from "./task-work.js";

/** What the task area needs of the agent (issue #11): a session in a worktree, and the connector. */
export interface TaskAgentDeps {
  createSessionIn(projectId: string, directory: string): Promise<{ id: string }>;
  agents: AgentServerConnector;
  /** Project rows whoever asks (the session's server is found from its services). */
  lookup: (id: string) => Promise<ProjectRecord | null>;
}

/** A task as the API shows it: its record and, in review, its own preview's URL. */
export type TaskView = TaskRecord & { previewUrl: string | null };

export interface TasksServiceDeps {
  projects: { get(principal: Principal, id: string): Promise<ProjectRecord> };
  templates: Pick<TemplateStore, "get">;
  users: Pick<AccountStore, "findById">;
  store: TaskStore;
  git: TaskGit;
  maxDiffBytes: number;
  audit?: AuditLog;
  /** The project's own QA gates (the template's apply without them). */
  gateStore?: QaGateStore;
  /** Without an agent (a template with no OpenCode service), a task's worktree is edited by hand. */
  agent?: TaskAgentDeps;
  /** The task worker: gates to run, an agent to follow, a preview to start or stop. */
  wake?: (projectId: string, n: number) => void;
  /** Stops a task's gate containers and preview now (cancel, reject, request changes). */
  halt?: (projectId: string, n: number) => Promise<void>;
  hosts?: PublicHosts;
  /** The project's git work, one step at a time (shared with the task worker). */
  serially?: <T>(key: string, fn: () => Promise<T>) => Promise<T>;
  /** Task writes notify the project's signals; streams wake on them (and re-read every pollMs anyway). */
  signals?: Pick<ProjectSignals, "subscribe">;
  pollMs?: number;
}

/** Resolves on the project's next signal, after `ms`, or when `signal` aborts. */
function nextChange(signals: TasksServiceDeps["signals"], projectId: string, ms: number, signal: AbortSignal) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      unsubscribe();
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = signals?.subscribe(projectId, done) ?? (() => {});
    signal.addEventListener("abort", done, { once: true });
  });
}

/** The moves a person may make by editing a task (run, approve, reject, cancel have their own routes). */
const EDITABLE_STATUSES: readonly TaskStatus[] = ["todo", "in_progress", "qa", "review"];
const OPEN: readonly TaskStatus[] = ["todo", "in_progress", "qa", "review"];
const RUNNING: readonly TaskStatus[] = ["in_progress", "qa", "review"];

export function tasksServiceFactory(deps: TasksServiceDeps) {
  const { store, git } = deps;
  /** A project's task git work, one step at a time (two approvals at once: the second merges onto the first). */
  const serially = deps.serially ?? keyedQueue();
  const wake = (t: TaskRecord) => deps.wake?.(t.projectId, t.n);
  const viewOf = (p: ProjectRecord, t: TaskRecord): TaskView => ({
    ...t,
    previewUrl: t.status === "review" && t.previewTarget && deps.hosts ? taskPreviewUrl(p.slug, t.n, deps.hosts) : null,
  });
  const gatesFor = async (p: ProjectRecord) => {
    const template = await deps.templates.get(p.templateId);
    return deps.gateStore
      ? gatesOf(deps.gateStore, template, p.id)
      : { gates: template?.qaGates ?? [], source: "template" as const };
  };
  /** Stops what runs for the task: its agent's turn, its gates, its preview. Best effort: the worker sweeps too. */
  const halt = async (task: TaskRecord) => {
    if (task.sessionId && task.agentState === "working" && deps.agent) {
      const p = await deps.agent.lookup(task.projectId);
      const server = p && taskAgent(deps.agent.agents, p, task.n);
      await server?.abort(task.sessionId).catch(() => {});
    }
    await deps.halt?.(task.projectId, task.n);
  };
  const project = (principal: Principal, id: string) => deps.projects.get(principal, id);
  const mustGet = async (projectId: string, n: number) => {
    const t = await store.get(projectId, n);
    if (!t) throw notFound("TASK_NOT_FOUND", `No task ${n} in this project`);
    return t;
  };
  const authorOf = (principal: Principal) => gitAuthorOf(deps.users, principal);
  const notIn = (task: TaskRecord, allowed: readonly TaskStatus[], action: string) =>
    new DomainError("conflict", "TASK_STATE", `Task ${task.n} is ${task.status}: it cannot ${action}`, {
      status: task.status,
      allowed,
    });
  /** Moves the task if nobody moved it meanwhile; a lost race is a 409, not an overwrite. */
  const move = async (task: TaskRecord, changes: TaskChanges, from: readonly TaskStatus[], action: string) => {
    const moved = await store.update(task.projectId, task.n, changes, from);
    if (!moved) throw notIn(await mustGet(task.projectId, task.n), from, action);
    return moved;
  };
  const round = (principal: Principal, r: Omit<ReviewRound, "at" | "by">): ReviewRound => ({
    at: new Date().toISOString(),
    by: principal.userId,
    ...r,
  });
  const record = async (principal: Principal, action: string, task: TaskRecord, data: object = {}) =>
    deps.audit?.record({ actorId: principal.userId, action, target: task.projectId, data: { n: task.n, ...data } });
  /** Stops the task's work: what the worktree holds is committed on the branch, which stays for reference. */
  const closeTree = async (p: ProjectRecord, task: TaskRecord, author: GitPerson | null) => {
    if (!task.branch) return;
    const t = await workspaceTargetOf(deps.templates, p);
    const tree = taskTree(task.n);
    if (author && (await git.hasTree(t, tree))) {
      await git.commitTree(t, tree, { message: `Task ${task.n}: ${task.title} (work as it was)`, author });
    }
    await git.closeTree(t, tree);
  };

  return {
    async create(principal: Principal, id: string, body: { title: string; description?: string | undefined }) {
      const p = await project(principal, id);
      const task = await store.create(p.id, {
        title: body.title,
        description: body.description ?? "",
        createdById: principal.userId,
      });
      await record(principal, "task.create", task);
      wake(task);
      return viewOf(p, task);
    },
    async list(principal: Principal, id: string, opts: { status?: TaskStatus | undefined }) {
      const p = await project(principal, id);
      return (await store.list(p.id, opts.status ? { status: opts.status } : {})).map((t) => viewOf(p, t));
    },
    async get(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return viewOf(p, await mustGet(p.id, n));
    },
    async update(
      principal: Principal,
      id: string,
      n: number,
      body: {
        title?: string | undefined;
        description?: string | undefined;
        status?: TaskStatus | undefined;
        position?: number | undefined;
      },
    ) {
      const p = await project(principal, id);
      const task = await mustGet(p.id, n);
      if (body.status !== undefined && body.status !== task.status) {
        // Done, rejected and cancelled are reached through approve, reject and cancel only.
        if (!EDITABLE_STATUSES.includes(body.status) || !EDITABLE_STATUSES.includes(task.status)) {
          throw notIn(task, EDITABLE_STATUSES, `move to ${body.status}`);
        }
      }
      const changes: TaskChanges = {};
      if (body.title !== undefined) changes.title = body.title;
      if (body.description !== undefined) changes.description = body.description;
      if (body.status !== undefined) changes.status = body.status;
      const changed =
        changes.status !== undefined && changes.status !== task.status
          ? await move(task, changes, [task.status], `move to ${changes.status}`)
          : await store.update(p.id, n, changes);
      if (!changed) throw notFound("TASK_NOT_FOUND", `No task ${n} in this project`);
      // A move to another column without a position goes to its end.
      const index =
        body.position ?? (changes.status && changes.status !== task.status ? Number.MAX_SAFE_INTEGER : null);
      wake(changed);
      if (index === null) return viewOf(p, changed);
      const placed = await store.place(p.id, n, index);
      if (!placed) throw notFound("TASK_NOT_FOUND", `No task ${n} in this project`);
      return viewOf(p, placed);
    },
    async remove(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        await halt(task);
        await closeTree(p, task, null);
        await store.remove(p.id, n);
        await record(principal, "task.delete", task);
      });
    },

    /**
     * The task's branch and worktree (from the main tree's last commit) and, when the template has
     * an agent, its own session there with the task as the prompt (sent by the worker); todo → in_progress.
     */
    async run(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      const moved = await serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (task.status !== "todo") throw notIn(task, ["todo"], "run");
        const t = await workspaceTargetOf(deps.templates, p);
        const template = await deps.templates.get(p.templateId);
        const tree = taskTree(n);
        const { base } = await git.openTree(t, tree, task.baseCommit ? { base: task.baseCommit } : {});
        const changes: TaskChanges = { status: "in_progress", branch: tree.branch, baseCommit: base, emptyDiff: false };
        if (template?.services.opencode && deps.agent) {
          // 409 AGENT_NOT_CONFIGURED / AGENT_NOT_RUNNING before anything moves.
          const session = task.sessionId
            ? { id: task.sessionId }
            : await deps.agent.createSessionIn(p.id, worktreeIn(n));
          Object.assign(changes, {
            sessionId: session.id,
            agentState: "working",
            agentError: null,
            agentMessageId: deps.agent.agents.newMessageId(),
            agentPrompt: taskPrompt(task),
            agentSentAt: null,
            agentActivityAt: new Date(),
          } satisfies TaskChanges);
        }
        const done = await move(task, changes, ["todo"], "run");
        await record(principal, "task.run", done, { base, sessionId: done.sessionId });
        return done;
      });
      wake(moved);
      return viewOf(p, moved);
    },
    /** Runs the task's QA gates again (from the first), then review. */
    async qa(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      const task = await mustGet(p.id, n);
      const from: readonly TaskStatus[] = ["in_progress", "qa", "review"];
      if (!from.includes(task.status) || !task.branch) throw notIn(task, from, "run its QA gates");
      if (task.status === "in_progress" && task.agentState === "working") {
        throw conflict("TASK_AGENT_WORKING", `Task ${n}'s agent is still working: wait for it or cancel the task`);
      }
      if (task.status === "qa" && task.qaResults?.status === "running") {
        throw conflict("TASK_QA_RUNNING", `Task ${n}'s QA gates are running`);
      }
      const { gates } = await gatesFor(p);
      const results = freshResults(gates, new Date());
      const moved = await move(
        task,
        { status: results.status === "running" ? "qa" : "review", qaResults: results },
        [task.status],
        "run its QA gates",
      );
      await record(principal, "task.qa", moved);
      wake(moved);
      return viewOf(p, moved);
    },
    /** The review's comments go to the task's agent session as its next prompt; → in_progress. */
    async requestChanges(
      principal: Principal,
      id: string,
      n: number,
      body: { comments: ReviewComment[]; message?: string | undefined },
    ) {
      const p = await project(principal, id);
      const from: readonly TaskStatus[] = ["in_progress", "qa", "review"];
      const task = await mustGet(p.id, n);
      if (!from.includes(task.status)) throw notIn(task, from, "be sent back");
      if (!task.sessionId || !deps.agent) {
        throw conflict("TASK_NO_AGENT", `Task ${n} has no agent session to send the comments to`);
      }
      if (task.status === "in_progress" && task.agentState === "working") {
        throw conflict("TASK_AGENT_WORKING", `Task ${n}'s agent is still working: wait for it or cancel the task`);
      }
      const message = body.message?.trim();
      const moved = await move(
        task,
        {
          status: "in_progress",
          agentState: "working",
          agentError: null,
          agentMessageId: deps.agent.agents.newMessageId(),
          agentPrompt: changesPrompt(body.comments, message),
          agentSentAt: null,
          agentActivityAt: new Date(),
          emptyDiff: false,
          previewTarget: null,
          ...(task.qaResults?.status === "running" ? { qaResults: cancelledResults(task.qaResults, new Date()) } : {}),
          reviewHistory: [
            ...task.reviewHistory,
            round(principal, {
              action: "request_changes",
              comments: body.comments,
              ...(message ? { message } : {}),
            }),
          ],
        },
        [task.status],
        "be sent back",
      );
      await deps.halt?.(p.id, n);
      await record(principal, "task.request_changes", moved, { comments: body.comments.length });
      wake(moved);
      return viewOf(p, moved);
    },
    /**
     * `task.changed` {n, status} for each task whose row changed (status null: deleted), for the
     * project's events stream; the caller has checked access.
     */
    changes(projectId: string, signal: AbortSignal): AsyncIterable<{ n: number; status: TaskStatus | null }> {
      const pollMs = deps.pollMs ?? 2000;
      return (async function* () {
        const snapshot = async () =>
          new Map(
            (await store.list(projectId, {})).map((t) => [t.n, { status: t.status, stamp: t.updatedAt.getTime() }]),
          );
        let last = await snapshot();
        while (!signal.aborted) {
          await nextChange(deps.signals, projectId, pollMs, signal);
          if (signal.aborted) return;
          const now = await snapshot();
          for (const [n, v] of now) if (last.get(n)?.stamp !== v.stamp) yield { n, status: v.status };
          for (const n of last.keys()) if (!now.has(n)) yield { n, status: null };
          last = now;
        }
      })();
    },
    /** The task's QA results as they change (`qa`), then `end` once the run is over. */
    async qaFeed(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      await mustGet(p.id, n);
      return async function* events(signal: AbortSignal) {
        let last = "";
        while (!signal.aborted) {
          const t = await store.get(p.id, n);
          if (!t) {
            yield { event: "end", data: { status: "removed" } };
            return;
          }
          const json = JSON.stringify(t.qaResults);
          if (json !== last) {
            last = json;
            yield { event: "qa", data: t.qaResults };
          }
          if (t.qaResults?.status !== "running") {
            yield { event: "end", data: { status: t.qaResults?.status ?? null } };
            return;
          }
          await nextChange(deps.signals, p.id, 500, signal);
        }
      };
    },
    async gates(principal: Principal, id: string) {
      return gatesFor(await project(principal, id));
    },
    /** The project's own gates; null goes back to the template's. */
    async setGates(principal: Principal, id: string, gates: QaGate[] | null) {
      const p = await project(principal, id);
      if (!deps.gateStore) throw conflict("QA_GATES_UNAVAILABLE", "QA gates cannot be changed here");
      await deps.gateStore.set(p.id, gates);
      await deps.audit?.record({
        actorId: principal.userId,
        action: "task.qa_gates",
        target: p.id,
        data: { gates: gates?.map((g) => g.name) ?? null },
      });
      return gatesFor(p);
    },
    async diff(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      const task = await mustGet(p.id, n);
      if (!task.branch || !task.baseCommit) throw conflict("TASK_NOT_STARTED", `Task ${n} has not run yet`);
      const t = await workspaceTargetOf(deps.templates, p);
      return git.treeDiff(t, taskTree(n), { base: task.baseCommit, maxBytes: deps.maxDiffBytes });
    },
    async approve(
      principal: Principal,
      id: string,
      n: number,
      body: { message?: string | undefined; override?: boolean | undefined; reason?: string | undefined },
    ) {
      const p = await project(principal, id);
      const r = await serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (!RUNNING.includes(task.status) || !task.branch) throw notIn(task, RUNNING, "be approved");
        const qa = task.qaResults;
        const override = body.override === true;
        if (!override && qa?.status === "running") {
          throw new DomainError("conflict", "TASK_QA_RUNNING", `Task ${n}'s QA gates are still running`, {
            gate: qa.gates.find((g) => g.status === "running")?.name ?? null,
          });
        }
        // Required gates that never ran on the task's latest change (worked by hand, or the agent's
        // round not finished): as unproven as a failed one.
        const required = (await gatesFor(p)).gates.filter((g) => g.required);
        const unchecked = required.length > 0 && (qa === null || task.status === "in_progress");
        if (!override && unchecked) {
          throw new DomainError(
            "conflict",
            "TASK_QA_NOT_RUN",
            `Task ${n}'s required QA gates have not run on its latest change: run them, or approve with override`,
            { gate: required[0]?.name ?? null },
          );
        }
        const blocking = blockingGate(qa);
        if (!override && blocking) {
          throw new DomainError(
            "conflict",
            "TASK_QA_FAILED",
            `Task ${n}'s required QA gate "${blocking.name}" ${blocking.status === "timed_out" ? "timed out" : "did not pass"}: fix it, or approve with override`,
            { gate: blocking.name },
          );
        }
        const overridden = override && (unchecked || (qa !== null && (qa.status === "running" || blocking !== null)));
        const t = await workspaceTargetOf(deps.templates, p);
        const tree = taskTree(n);
        const author = await authorOf(principal);
        // What the agent left uncommitted in the worktree belongs to the task too.
        if (await git.hasTree(t, tree)) {
          await git.commitTree(t, tree, { message: `Task ${n}: ${task.title}`, author });
        }
        // Nothing to merge is said, not recorded as an empty merge commit.
        const changed = await git.treeDiff(t, tree, { base: task.baseCommit ?? "HEAD", maxBytes: 64 * 1024 });
        if (changed.stats.files === 0) {
          throw conflict("TASK_EMPTY", `Task ${n} changed no file: reject or cancel it instead`);
        }
        // Given, or the task's title with what the agent said it did (its description without an agent).
        const message =
          body.message?.trim() || `Task ${n}: ${task.title}\n\n${task.agentSummary ?? task.description}`.trim();
        const merged = await git.mergeTree(t, tree, { message, author });
        if (!merged.merged) {
          throw new DomainError(
            "conflict",
            "TASK_CONFLICT",
            `Task ${n}'s branch conflicts with the main tree in ${merged.conflicts.join(", ") || "some files"}`,
            { conflicts: merged.conflicts },
          );
        }
        const at = new Date().toISOString();
        const reason = body.reason?.trim();
        const done = await move(
          task,
          {
            status: "done",
            mergeCommit: merged.commit.id,
            previewTarget: null,
            ...(overridden && qa
              ? {
                  qaResults: {
                    ...(qa.status === "running" ? cancelledResults(qa, new Date(at)) : qa),
                    override: { by: principal.userId, at, ...(reason ? { reason } : {}) },
                  },
                }
              : {}),
            reviewHistory: [
              ...task.reviewHistory,
              round(principal, { action: "approve", message, ...(overridden ? { override: true } : {}) }),
            ],
          },
          RUNNING,
          "be approved",
        );
        await halt(task);
        await git.closeTree(t, tree);
        await record(principal, "task.approve", done, { commit: merged.commit.id, override: overridden });
        return { task: done, commit: merged.commit };
      });
      wake(r.task);
      return { task: viewOf(p, r.task), commit: r.commit };
    },
    async reject(principal: Principal, id: string, n: number, body: { reason: string }) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (!RUNNING.includes(task.status)) throw notIn(task, RUNNING, "be rejected");
        const rejected = await move(
          task,
          {
            status: "rejected",
            previewTarget: null,
            ...(task.agentState === "working" ? { agentState: "idle" as const } : {}),
            ...(task.qaResults?.status === "running"
              ? { qaResults: cancelledResults(task.qaResults, new Date()) }
              : {}),
            reviewHistory: [...task.reviewHistory, round(principal, { action: "reject", message: body.reason })],
          },
          RUNNING,
          "be rejected",
        );
        await halt(task);
        await closeTree(p, task, await authorOf(principal));
        await record(principal, "task.reject", rejected);
        wake(rejected);
        return viewOf(p, rejected);
      });
    },
    async cancel(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (!OPEN.includes(task.status)) throw notIn(task, OPEN, "be cancelled");
        const cancelled = await move(
          task,
          {
            status: "cancelled",
            previewTarget: null,
            ...(task.agentState === "working" ? { agentState: "idle" as const } : {}),
            ...(task.qaResults?.status === "running"
              ? { qaResults: cancelledResults(task.qaResults, new Date()) }
              : {}),
            reviewHistory: [...task.reviewHistory, round(principal, { action: "cancel" })],
          },
          OPEN,
          "be cancelled",
        );
        await halt(task);
        await closeTree(p, task, await authorOf(principal));
        await record(principal, "task.cancel", cancelled);
        wake(cancelled);
        return viewOf(p, cancelled);
      });
    },
  };
}

export type TasksService = ReturnType<typeof tasksServiceFactory>;
