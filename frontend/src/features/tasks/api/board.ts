// The board as columns, and a move applied to it: what the optimistic update shows before the
// server answers. Columns keep their tasks by position, smallest first (as the API orders them).
import { TASK_STATUSES } from "../../../lib/vocabulary";
import type { Task, TaskStatus } from "./tasks";

export type Columns = Record<TaskStatus, Task[]>;
export interface Move {
  n: number;
  status: TaskStatus;
  /** The index in the target column, counted without the moving task. */
  position: number;
}

export function columnsOf(tasks: readonly Task[]): Columns {
  const cols = Object.fromEntries(TASK_STATUSES.map((s) => [s, [] as Task[]])) as unknown as Columns;
  for (const t of tasks) cols[t.status].push(t);
  for (const s of TASK_STATUSES) cols[s].sort((a, b) => a.position - b.position || a.n - b.n);
  return cols;
}

/** The list after `move`: the task leaves its column and enters the target at `position`. */
export function applyMove(tasks: readonly Task[], move: Move): Task[] {
  const task = tasks.find((t) => t.n === move.n);
  if (!task) return [...tasks];
  const cols = columnsOf(tasks.filter((t) => t.n !== move.n));
  const target = cols[move.status];
  target.splice(Math.max(0, Math.min(move.position, target.length)), 0, { ...task, status: move.status });
  return TASK_STATUSES.flatMap((s) =>
    cols[s].map((t, i) => (t.position === i && t.status === s ? t : { ...t, position: i })),
  );
}
