// The project's task board (issue #14): tasks as records, each run on its own branch and git
// worktree inside the project (never touching the main tree or another task's files), reviewed
// as a diff against its base commit, and merged into the main tree as one commit on approval.
import type { AccountStore } from "../../ports/account.port.js";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { GitPerson, TaskGit, TaskTree } from "../../ports/project-git.port.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { ReviewRound, TaskChanges, TaskRecord, TaskStore } from "../../ports/tasks.port.js";
import type { TemplateStore } from "../../ports/templates.port.js";
import type { TaskStatus } from "../../ports/vocabulary.js";
import { conflict, DomainError, notFound } from "../../shared/errors.js";
import { gitAuthorOf } from "../../shared/git-author.js";
import { keyedQueue } from "../../shared/keyed-queue.js";
import { workspaceTargetOf } from "../../shared/workspace-target.js";

export interface TasksServiceDeps {
  projects: { get(principal: Principal, id: string): Promise<ProjectRecord> };
  templates: Pick<TemplateStore, "get">;
  users: Pick<AccountStore, "findById">;
  store: TaskStore;
  git: TaskGit;
  maxDiffBytes: number;
  audit?: AuditLog;
}

/** Where task n works: branch task/<n>, checked out inside .git (no dev server or archive sees it). */
export const taskTree = (n: number): TaskTree => ({ branch: `task/${n}`, path: `.git/devsanctum/tasks/${n}` });

/** The moves a person may make by editing a task (run, approve, reject, cancel have their own routes). */
const EDITABLE_STATUSES: readonly TaskStatus[] = ["todo", "in_progress", "qa", "review"];
const OPEN: readonly TaskStatus[] = ["todo", "in_progress", "qa", "review"];
const RUNNING: readonly TaskStatus[] = ["in_progress", "qa", "review"];

export function tasksServiceFactory(deps: TasksServiceDeps) {
  const { store, git } = deps;
  /** A project's task git work, one step at a time (two approvals at once: the second merges onto the first). */
  const serially = keyedQueue();
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
      return task;
    },
    async list(principal: Principal, id: string, opts: { status?: TaskStatus | undefined }) {
      const p = await project(principal, id);
      return store.list(p.id, opts.status ? { status: opts.status } : {});
    },
    async get(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return mustGet(p.id, n);
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
      if (index === null) return changed;
      const placed = await store.place(p.id, n, index);
      if (!placed) throw notFound("TASK_NOT_FOUND", `No task ${n} in this project`);
      return placed;
    },
    async remove(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        await closeTree(p, task, null);
        await store.remove(p.id, n);
        await record(principal, "task.delete", task);
      });
    },

    /** The task's branch and worktree (from the main tree's last commit); todo → in_progress. */
    async run(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (task.status !== "todo") throw notIn(task, ["todo"], "run");
        const t = await workspaceTargetOf(deps.templates, p);
        const tree = taskTree(n);
        const { base } = await git.openTree(t, tree, task.baseCommit ? { base: task.baseCommit } : {});
        const moved = await move(
          task,
          { status: "in_progress", branch: tree.branch, baseCommit: base },
          ["todo"],
          "run",
        );
        await record(principal, "task.run", moved, { base });
        return moved;
      });
    },
    async diff(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      const task = await mustGet(p.id, n);
      if (!task.branch || !task.baseCommit) throw conflict("TASK_NOT_STARTED", `Task ${n} has not run yet`);
      const t = await workspaceTargetOf(deps.templates, p);
      return git.treeDiff(t, taskTree(n), { base: task.baseCommit, maxBytes: deps.maxDiffBytes });
    },
    async approve(principal: Principal, id: string, n: number, body: { message?: string | undefined }) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (!RUNNING.includes(task.status) || !task.branch) throw notIn(task, RUNNING, "be approved");
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
        const message = body.message?.trim() || `Task ${n}: ${task.title}\n\n${task.description}`.trim();
        const merged = await git.mergeTree(t, tree, { message, author });
        if (!merged.merged) {
          throw new DomainError(
            "conflict",
            "TASK_CONFLICT",
            `Task ${n}'s branch conflicts with the main tree in ${merged.conflicts.join(", ") || "some files"}`,
            { conflicts: merged.conflicts },
          );
        }
        const done = await move(
          task,
          {
            status: "done",
            mergeCommit: merged.commit.id,
            reviewHistory: [...task.reviewHistory, round(principal, { action: "approve", message })],
          },
          RUNNING,
          "be approved",
        );
        await git.closeTree(t, tree);
        await record(principal, "task.approve", done, { commit: merged.commit.id });
        return { task: done, commit: merged.commit };
      });
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
            reviewHistory: [...task.reviewHistory, round(principal, { action: "reject", message: body.reason })],
          },
          RUNNING,
          "be rejected",
        );
        await closeTree(p, task, await authorOf(principal));
        await record(principal, "task.reject", rejected);
        return rejected;
      });
    },
    async cancel(principal: Principal, id: string, n: number) {
      const p = await project(principal, id);
      return serially(p.id, async () => {
        const task = await mustGet(p.id, n);
        if (!OPEN.includes(task.status)) throw notIn(task, OPEN, "be cancelled");
        const cancelled = await move(
          task,
          { status: "cancelled", reviewHistory: [...task.reviewHistory, round(principal, { action: "cancel" })] },
          OPEN,
          "be cancelled",
        );
        await closeTree(p, task, await authorOf(principal));
        await record(principal, "task.cancel", cancelled);
        return cancelled;
      });
    },
  };
}

export type TasksService = ReturnType<typeof tasksServiceFactory>;
