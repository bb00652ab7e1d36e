import type { components } from "../api/schema";

// Word lists the console needs as values (not only as types), checked against the API's
// generated types: a kind added on the server and not here fails the type check.
type Kind = components["schemas"]["Project"]["services"][number]["kind"];

/** Every value of the union T appears in the list L. */
type Covers<T, L extends readonly T[]> = [Exclude<T, L[number]>] extends [never] ? L : never;

const kinds = ["preview", "opencode", "production"] as const satisfies readonly Kind[];
export const SERVICE_KINDS: Covers<Kind, typeof kinds> = kinds;

type TaskStatus = components["schemas"]["TaskStatus"];
const taskStatuses = [
  "todo",
  "in_progress",
  "qa",
  "review",
  "done",
  "rejected",
  "cancelled",
] as const satisfies readonly TaskStatus[];
/** The task board's columns, in the order a task moves through them (issue #14). */
export const TASK_STATUSES: Covers<TaskStatus, typeof taskStatuses> = taskStatuses;
