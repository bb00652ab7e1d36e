// The tasks of a project's board (issue #14), as stored. Numbers are per project (1, 2, …) and
// never reused; every read and write names the project, so a task of another project is absent.
import type { TaskStatus } from "./vocabulary.js";

export interface ReviewRound {
  at: string;
  by: string | null;
  action: "approve" | "reject" | "cancel" | "request_changes";
  message?: string;
  comments?: { path: string; line: number; body: string }[];
}

export interface TaskRecord {
  id: string;
  projectId: string;
  n: number;
  title: string;
  description: string;
  status: TaskStatus;
  position: number;
  createdById: string | null;
  sessionId: string | null;
  branch: string | null;
  baseCommit: string | null;
  mergeCommit: string | null;
  qaResults: unknown;
  reviewHistory: ReviewRound[];
  createdAt: Date;
  updatedAt: Date;
}

export type TaskChanges = Partial<
  Pick<
    TaskRecord,
    "title" | "description" | "status" | "position" | "sessionId" | "branch" | "baseCommit" | "mergeCommit"
  >
> & { qaResults?: unknown; reviewHistory?: ReviewRound[] };

export interface TaskStore {
  /** The next number of the project; placed at the end of its column unless `position` is given. */
  create(
    projectId: string,
    t: { title: string; description: string; createdById: string | null; position?: number },
  ): Promise<TaskRecord>;
  list(projectId: string, opts: { status?: TaskStatus }): Promise<TaskRecord[]>;
  get(projectId: string, n: number): Promise<TaskRecord | null>;
  /**
   * Changes the task only if its status is still one of `from` (when given): a lost race is
   * null, never a silent overwrite of the other writer's move.
   */
  update(projectId: string, n: number, changes: TaskChanges, from?: readonly TaskStatus[]): Promise<TaskRecord | null>;
  /** Puts the task at `index` of its column (0 first), renumbering the column's positions 0, 1, …. */
  place(projectId: string, n: number, index: number): Promise<TaskRecord | null>;
  remove(projectId: string, n: number): Promise<boolean>;
}
