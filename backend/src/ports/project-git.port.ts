// A project's git history in domain terms: commits, diffs (structured per-file hunks plus the
// unified text), committing and restoring. The git CLI adapter implements it; the task board
// (branches, worktrees, merges) extends it with more of the same shape.
import type { WorkspaceTarget } from "./workspace.port.js";

export interface GitPerson {
  name: string;
  email: string;
}

export const FILE_CHANGE_STATUSES = ["added", "modified", "deleted", "renamed", "type_changed"] as const;
export type FileChangeStatus = (typeof FILE_CHANGE_STATUSES)[number];

export interface CommitFile {
  path: string;
  status: FileChangeStatus;
  /** null for binary files. */
  additions: number | null;
  deletions: number | null;
}

export interface CommitInfo {
  id: string;
  parents: string[];
  /** First line. */
  subject: string;
  /** The whole message. */
  message: string;
  author: GitPerson;
  time: string;
  files: CommitFile[];
}

export const DIFF_LINE_TYPES = ["context", "add", "delete"] as const;
export type DiffLineType = (typeof DIFF_LINE_TYPES)[number];

export interface DiffLine {
  type: DiffLineType;
  text: string;
  oldLine: number | null;
  newLine: number | null;
}

export interface DiffHunk {
  header: string;
  oldStart: number;
  oldLines: number;
  newStart: number;
  newLines: number;
  lines: DiffLine[];
}

export interface FileDiff {
  path: string;
  /** The path before a rename (else the same as path). */
  oldPath: string;
  status: FileChangeStatus;
  binary: boolean;
  additions: number;
  deletions: number;
  hunks: DiffHunk[];
}

export interface Diff {
  from: string;
  /** A commit id, or "worktree" for the files as they are now. */
  to: string;
  files: FileDiff[];
  stats: { files: number; additions: number; deletions: number };
  unified: string;
  truncated: boolean;
}

export interface ProjectGit {
  /** A repository with at least one commit (the files as they are, by `author`); idempotent. */
  ensureRepository(t: WorkspaceTarget, first: { author: GitPerson; message: string }): Promise<{ created: boolean }>;
  /** Newest first; `before` excludes that commit and starts at its parent line. */
  log(t: WorkspaceTarget, opts: { limit: number; before?: string }): Promise<{ commits: CommitInfo[]; more: boolean }>;
  /** The full id of a commit-ish, or null when there is none. */
  resolveCommit(t: WorkspaceTarget, rev: string): Promise<string | null>;
  /** Commits every change in the working tree; null when nothing changed. */
  commitAll(t: WorkspaceTarget, opts: { message: string; author: GitPerson }): Promise<CommitInfo | null>;
  /** `to: "worktree"` compares with the files as they are now. */
  diff(t: WorkspaceTarget, opts: { from: string; to: string; maxBytes: number }): Promise<Diff>;
  /** A commit against its first parent (the root commit against nothing). */
  commitDiff(t: WorkspaceTarget, commit: string, opts: { maxBytes: number }): Promise<Diff>;
  /** Makes the working tree equal `commit` and records that as a new commit. */
  restore(t: WorkspaceTarget, commit: string, opts: { message: string; author: GitPerson }): Promise<CommitInfo>;
}

/** Who commits what the platform does (the template's files, work saved before a restore). */
export const PLATFORM_AUTHOR: GitPerson = { name: "DevSanctum", email: "platform@devsanctum.invalid" };
/** The project's agent: every agent turn is committed under this name. */
export const AGENT_AUTHOR: GitPerson = { name: "DevSanctum agent", email: "agent@devsanctum.invalid" };

/** Where a task's work happens: its branch, checked out in a worktree of its own. */
export interface TaskTree {
  branch: string;
  /** Relative to the project's root; inside .git, so the main tree, its dev server and its archive never see it. */
  path: string;
}

export type MergeResult = { merged: true; commit: CommitInfo } | { merged: false; conflicts: string[] };

/** Branches and worktrees for the task board (issue #14), in the same git repository. */
export interface TaskGit {
  /** The branch at `base` (HEAD when absent) and its worktree; idempotent. Returns the base commit. */
  openTree(t: WorkspaceTarget, tree: TaskTree, opts: { base?: string }): Promise<{ base: string }>;
  /** Whether the worktree is there (checked out). */
  hasTree(t: WorkspaceTarget, tree: TaskTree): Promise<boolean>;
  /** Commits everything changed in the worktree on its branch; null when nothing changed. */
  commitTree(
    t: WorkspaceTarget,
    tree: TaskTree,
    opts: { message: string; author: GitPerson },
  ): Promise<CommitInfo | null>;
  /** The worktree's files (or, without a worktree, its branch) against `base`. */
  treeDiff(t: WorkspaceTarget, tree: TaskTree, opts: { base: string; maxBytes: number }): Promise<Diff>;
  /**
   * Merges the branch into the main tree as one merge commit. A conflict changes no file of
   * either tree and names the conflicting paths. Uncommitted work in the main tree is
   * committed first (nothing is lost).
   */
  mergeTree(t: WorkspaceTarget, tree: TaskTree, opts: { message: string; author: GitPerson }): Promise<MergeResult>;
  /** Removes the worktree, keeping its branch; idempotent. */
  closeTree(t: WorkspaceTarget, tree: TaskTree): Promise<void>;
}
