// The tasks of a project's board (issue #14), as stored. Numbers are per project (1, 2, …) and
// never reused; every read and write names the project, so a task of another project is absent.
import type { QaGate } from "./templates.port.js";
import type { QaGateStatus, QaStatus, TaskAgentState, TaskStatus } from "./vocabulary.js";

export interface ReviewRound {
  at: string;
  by: string | null;
  action: "approve" | "reject" | "cancel" | "request_changes";
  message?: string;
  comments?: ReviewComment[];
  /** An approval that overrode failing (or unfinished) required QA gates. */
  override?: boolean;
}

export interface ReviewComment {
  path: string;
  line: number;
  body: string;
}

export interface GateResult extends QaGate {
  status: QaGateStatus;
  exitCode: number | null;
  durationMs: number | null;
  /** The gate's output, its last bytes only (bounded). */
  output: string;
}

export interface QaResults {
  status: QaStatus;
  startedAt: string;
  finishedAt: string | null;
  override: { by: string | null; at: string; reason?: string } | null;
  gates: GateResult[];
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
  qaResults: QaResults | null;
  reviewHistory: ReviewRound[];
  agentState: TaskAgentState;
  agentError: string | null;
  /** The text of the agent's last reply (bounded): the approval's commit message uses it. */
  agentSummary: string | null;
  agentActivityAt: Date | null;
  /** The prompt in flight: its message id is chosen and stored before it is sent (sent once across crashes). */
  agentMessageId: string | null;
  agentPrompt: string | null;
  agentSentAt: Date | null;
  emptyDiff: boolean;
  previewContainerId: string | null;
  /** Where the task's preview answers while it is in review (the edge routes its host there). */
  previewTarget: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type TaskChanges = Partial<
  Pick<
    TaskRecord,
    | "title"
    | "description"
    | "status"
    | "position"
    | "sessionId"
    | "branch"
    | "baseCommit"
    | "mergeCommit"
    | "agentState"
    | "agentError"
    | "agentSummary"
    | "agentActivityAt"
    | "agentMessageId"
    | "agentPrompt"
    | "agentSentAt"
    | "emptyDiff"
    | "previewContainerId"
    | "previewTarget"
  >
> & { qaResults?: QaResults | null; reviewHistory?: ReviewRound[] };

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
  /**
   * Every project's tasks the task worker may have to act on: an agent working, gates to run,
   * a preview to start or to stop. The worker's periodic scan.
   */
  listActive(): Promise<Array<Pick<TaskRecord, "projectId" | "n">>>;
}

/** A project's own QA gates (null: the template's). */
export interface QaGateStore {
  get(projectId: string): Promise<QaGate[] | null>;
  set(projectId: string, gates: QaGate[] | null): Promise<void>;
}
