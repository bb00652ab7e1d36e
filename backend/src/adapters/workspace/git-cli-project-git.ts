// ProjectGit with the git CLI, run in the project's environment through a GitRunner. Every
// command is an argv array built here (never a shell string), every answer parsed into domain
// types. node_modules is never recorded, whatever the project's .gitignore says.
import {
  type CommitInfo,
  type Diff,
  type GitPerson,
  PLATFORM_AUTHOR,
  type ProjectGit,
  type TaskGit,
  type TaskTree,
} from "../../ports/project-git.port.js";
import type { GitRunner, WorkspaceTarget } from "../../ports/workspace.port.js";
import { DomainError } from "../../shared/errors.js";
import { LOG_FORMAT, parseLog, parsePatch } from "./git-output-parse.js";

/** The platform is the committer of every commit; the person (or the agent) is its author. */
const PLATFORM_COMMITTER = PLATFORM_AUTHOR;

const ADD_ALL = ["add", "--all", "--", ".", ":(exclude,glob)**/node_modules/**"];
const DIFF_FLAGS = ["--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", "--unified=3"];

const identity = (author: GitPerson) => ({
  GIT_AUTHOR_NAME: author.name,
  GIT_AUTHOR_EMAIL: author.email,
  GIT_COMMITTER_NAME: PLATFORM_COMMITTER.name,
  GIT_COMMITTER_EMAIL: PLATFORM_COMMITTER.email,
});

export function gitCliProjectGit(runner: GitRunner): ProjectGit & TaskGit {
  const git = async (t: WorkspaceTarget, args: string[], opts: Parameters<GitRunner["git"]>[2] = {}) => {
    const r = await runner.git(t, args, opts);
    if (r.code !== 0) {
      throw new DomainError("unavailable", "GIT_FAILED", `git ${args[0]} failed: ${r.stderr.trim().slice(0, 500)}`);
    }
    return r;
  };
  const text = async (t: WorkspaceTarget, args: string[], opts: Parameters<GitRunner["git"]>[2] = {}) =>
    (await git(t, args, opts)).stdout.toString("utf8");

  const hasHead = async (t: WorkspaceTarget) =>
    (await runner.git(t, ["rev-parse", "--verify", "--quiet", "HEAD^{commit}"])).code === 0;

  const resolveCommit = async (t: WorkspaceTarget, rev: string) => {
    const r = await runner.git(t, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
    return r.code === 0 ? r.stdout.toString("utf8").trim() : null;
  };

  const show = async (t: WorkspaceTarget, commit: string): Promise<CommitInfo> => {
    const out = await text(t, ["log", "-1", LOG_FORMAT, "--raw", "--numstat", "--no-renames", commit, "--"]);
    const [info] = parseLog(out);
    if (!info) throw new DomainError("unavailable", "GIT_FAILED", `git log showed no commit ${commit}`);
    return info;
  };

  const ensureRepository: ProjectGit["ensureRepository"] = async (t, first) => {
    const inside = await runner.git(t, ["rev-parse", "--is-inside-work-tree"]);
    let created = false;
    if (inside.code !== 0) {
      await git(t, ["init", "--quiet", "--initial-branch=main"]);
      created = true;
    }
    if (await hasHead(t)) return { created };
    await git(t, ADD_ALL);
    await git(t, ["commit", "--quiet", "--allow-empty", "--file=-"], {
      env: identity(first.author),
      input: first.message,
    });
    return { created: true };
  };

  const commitAll: ProjectGit["commitAll"] = async (t, opts) => {
    await ensureRepository(t, { author: PLATFORM_COMMITTER, message: "Files as they were when history began" });
    await git(t, ADD_ALL);
    const staged = await runner.git(t, ["diff", "--cached", "--quiet", "HEAD", "--"]);
    if (staged.code === 0) return null;
    await git(t, ["commit", "--quiet", "--file=-"], { env: identity(opts.author), input: opts.message });
    return show(t, "HEAD");
  };

  const emptyTree = async (t: WorkspaceTarget) =>
    (await text(t, ["hash-object", "-t", "tree", "--stdin"], { input: "" })).trim();

  const diffBetween = async (
    t: WorkspaceTarget,
    from: string,
    to: string,
    args: string[],
    maxBytes: number,
    where: string[] = [],
  ) => {
    const r = await git(t, [...where, "diff", ...DIFF_FLAGS, ...args, "--"], { maxOutput: maxBytes });
    const unified = r.stdout.toString("utf8");
    const files = parsePatch(unified);
    const stats = {
      files: files.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
    };
    return { from, to, files, stats, unified, truncated: r.truncated } satisfies Diff;
  };

  const mustResolve = async (t: WorkspaceTarget, rev: string) => {
    const id = await resolveCommit(t, rev);
    if (!id) throw new DomainError("not_found", "COMMIT_NOT_FOUND", `No commit ${rev} in this project's history`);
    return id;
  };

  /** git -C <worktree>: the task's files, its own index and HEAD. */
  const inTree = (tree: TaskTree) => ["-C", tree.path];
  const hasTree = async (t: WorkspaceTarget, tree: TaskTree) => {
    // Inside .git but not a worktree, git answers "false" (the repository's own folder).
    const r = await runner.git(t, [...inTree(tree), "rev-parse", "--is-inside-work-tree"]);
    return r.code === 0 && r.stdout.toString("utf8").trim() === "true";
  };
  const beforeHistory = { author: PLATFORM_COMMITTER, message: "Files as they were when history began" };

  const taskGit: TaskGit = {
    hasTree,
    async openTree(t, tree, opts) {
      await ensureRepository(t, beforeHistory);
      const base = await mustResolve(t, opts.base ?? "HEAD");
      if (await hasTree(t, tree)) return { base };
      await git(t, ["worktree", "prune"]);
      const branch = await resolveCommit(t, `refs/heads/${tree.branch}`);
      const add = branch
        ? ["worktree", "add", "--quiet", tree.path, tree.branch]
        : ["worktree", "add", "--quiet", "-b", tree.branch, tree.path, base];
      await git(t, add, { env: identity(PLATFORM_COMMITTER) });
      return { base };
    },
    async commitTree(t, tree, opts) {
      await git(t, [...inTree(tree), ...ADD_ALL]);
      const staged = await runner.git(t, [...inTree(tree), "diff", "--cached", "--quiet", "HEAD", "--"]);
      if (staged.code === 0) return null;
      await git(t, [...inTree(tree), "commit", "--quiet", "--file=-"], {
        env: identity(opts.author),
        input: opts.message,
      });
      return show(t, await mustResolve(t, `refs/heads/${tree.branch}`));
    },
    async treeDiff(t, tree, opts) {
      const base = await mustResolve(t, opts.base);
      if (await hasTree(t, tree)) {
        await git(t, [...inTree(tree), ...ADD_ALL]);
        return diffBetween(t, base, "worktree", ["--cached", base], opts.maxBytes, inTree(tree));
      }
      const head = await mustResolve(t, `refs/heads/${tree.branch}`);
      return diffBetween(t, base, head, [base, head], opts.maxBytes);
    },
    async mergeTree(t, tree, opts) {
      const branch = await mustResolve(t, `refs/heads/${tree.branch}`);
      await commitAll(t, { message: `Changes before merging ${tree.branch}`, author: opts.author });
      // The merge is computed in the object store only: a conflict touches neither tree.
      const m = await runner.git(t, ["merge-tree", "--write-tree", "--name-only", "--no-messages", "HEAD", branch]);
      const lines = m.stdout.toString("utf8").split("\n").filter(Boolean);
      if (m.code === 1) return { merged: false, conflicts: [...new Set(lines.slice(1))] };
      if (m.code !== 0 || !lines[0]) {
        throw new DomainError("unavailable", "GIT_FAILED", `git merge-tree failed: ${m.stderr.trim().slice(0, 500)}`);
      }
      const commit = (
        await text(t, ["commit-tree", lines[0], "-p", "HEAD", "-p", branch, "-F", "-"], {
          env: identity(opts.author),
          input: opts.message,
        })
      ).trim();
      await git(t, ["merge", "--ff-only", "--quiet", commit], { env: identity(opts.author) });
      return { merged: true, commit: await show(t, commit) };
    },
    async closeTree(t, tree) {
      if (await hasTree(t, tree)) await git(t, ["worktree", "remove", "--force", tree.path]);
      await git(t, ["worktree", "prune"]);
    },
  };

  return {
    ...taskGit,
    ensureRepository,
    resolveCommit,
    commitAll,

    async log(t, opts) {
      if (!(await hasHead(t))) return { commits: [], more: false };
      const start = opts.before ? await mustResolve(t, opts.before) : "HEAD";
      const extra = opts.before ? 1 : 0;
      const out = await text(t, [
        "log",
        `--max-count=${opts.limit + 1 + extra}`,
        LOG_FORMAT,
        "--raw",
        "--numstat",
        "--no-renames",
        start,
        "--",
      ]);
      const commits = parseLog(out).slice(extra);
      return { commits: commits.slice(0, opts.limit), more: commits.length > opts.limit };
    },

    async diff(t, opts) {
      const from = await mustResolve(t, opts.from);
      if (opts.to === "worktree") {
        // Everything in the working tree, as the next commit would record it (the index is ours).
        await ensureRepository(t, { author: PLATFORM_COMMITTER, message: "Files as they were when history began" });
        await git(t, ADD_ALL);
        return diffBetween(t, from, "worktree", ["--cached", from], opts.maxBytes);
      }
      const to = await mustResolve(t, opts.to);
      return diffBetween(t, from, to, [from, to], opts.maxBytes);
    },

    async commitDiff(t, commit, opts) {
      const id = await mustResolve(t, commit);
      const parent = (await resolveCommit(t, `${id}^1`)) ?? (await emptyTree(t));
      const d = await diffBetween(t, parent, id, [parent, id], opts.maxBytes);
      return d;
    },

    async restore(t, commit, opts) {
      const id = await mustResolve(t, commit);
      // Nothing is lost: uncommitted work is recorded first, then the old tree comes back.
      await commitAll(t, { message: `Changes before restoring ${id.slice(0, 7)}`, author: opts.author });
      await git(t, ["read-tree", "--reset", "-u", id]);
      await git(t, ["commit", "--quiet", "--allow-empty", "--file=-"], {
        env: identity(opts.author),
        input: opts.message,
      });
      return show(t, "HEAD");
    },
  };
}
