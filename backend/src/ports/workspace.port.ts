// A project's files where they live (its volume, reached through the container engine, never
// the host's view of it). Paths are relative to the project's root, "/"-separated; the side
// that holds the files refuses any that would leave the project (.., absolute, symlinks out).

/** Which project, and whose files: the image whose user owns the project's files. */
export interface WorkspaceTarget {
  projectId: string;
  /** The template's first service image (its user owns the files); null: uid 1000. */
  ownerImage: string | null;
}

export const FILE_TYPES = ["file", "dir", "symlink", "other"] as const;
export type FileType = (typeof FILE_TYPES)[number];

export interface FileEntry {
  path: string;
  name: string;
  type: FileType;
  size: number;
  modified: string;
  /** A symlink's target as written. */
  target?: string;
}

export interface FileTree {
  path: string;
  entries: FileEntry[];
  /** More entries than the limit: the list stops there. */
  truncated: boolean;
}

export interface FileContent {
  content: Buffer;
  etag: string;
  size: number;
  binary: boolean;
  modified: string;
}

/** A write's precondition: the ETag the writer read, "*" (must exist), or create-only. */
export interface WriteCondition {
  ifMatch?: string;
  ifNoneMatch?: "*";
}

export interface UploadFile {
  path: string;
  content: Buffer;
  mode?: number;
}

export interface ProjectFiles {
  tree(t: WorkspaceTarget, opts: { path: string; depth: number; all: boolean; maxEntries: number }): Promise<FileTree>;
  read(t: WorkspaceTarget, path: string, opts: { maxBytes: number }): Promise<FileContent>;
  write(
    t: WorkspaceTarget,
    path: string,
    content: Buffer,
    condition: WriteCondition,
  ): Promise<FileEntry & { etag: string; created: boolean }>;
  remove(t: WorkspaceTarget, path: string, opts: { recursive: boolean }): Promise<void>;
  move(t: WorkspaceTarget, from: string, to: string): Promise<void>;
  mkdir(t: WorkspaceTarget, path: string): Promise<FileEntry>;
  /** Checks every path first: one refused path writes nothing. */
  writeMany(t: WorkspaceTarget, files: UploadFile[]): Promise<{ written: number }>;
  /** The project as .tar.gz, without node_modules and .git. */
  archive(t: WorkspaceTarget, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
  /** Batches of changed paths (debounced) by anyone, until `signal` aborts; first an empty one once watching. */
  watch(t: WorkspaceTarget, signal: AbortSignal): AsyncIterable<string[]>;
}

export interface GitOutput {
  code: number;
  stdout: Buffer;
  stderr: string;
  truncated: boolean;
}

/** Runs git in the project's environment, in its root, hooks and planted config disabled. */
export interface GitRunner {
  git(
    t: WorkspaceTarget,
    args: string[],
    opts?: { env?: Record<string, string>; input?: string; maxOutput?: number },
  ): Promise<GitOutput>;
}

/** The `devsanctum.kind` of a project's workspace container: not a service the reconciler runs. */
export const WORKSPACE_KIND = "workspace";
