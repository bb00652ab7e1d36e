// The words the board and the task page show for the task's states; the list of statuses itself
// is lib/vocabulary's TASK_STATUSES, checked against the API's types.
import type { QaGate, QaResults, TaskAgent, TaskStatus } from "../api/tasks";

export const STATUS_LABEL: Record<TaskStatus, string> = {
  todo: "To do",
  in_progress: "In progress",
  qa: "QA",
  review: "In review",
  done: "Done",
  rejected: "Rejected",
  cancelled: "Cancelled",
};

export const AGENT_LABEL: Record<TaskAgent["state"], string> = {
  idle: "Agent idle",
  working: "Agent working",
  error: "Agent error",
  done: "Agent finished",
};

export const GATE_LABEL: Record<QaGate["status"], string> = {
  pending: "Pending",
  running: "Running",
  passed: "Passed",
  failed: "Failed",
  timed_out: "Timed out",
  skipped: "Skipped",
};

export const gateFailed = (g: QaGate) => g.status === "failed" || g.status === "timed_out";

/** Required gates that failed: what blocks approval unless the reviewer overrides. */
export const blockingGates = (qa: QaResults | null | undefined) =>
  (qa?.gates ?? []).filter((g) => g.required && gateFailed(g));

/** One line for a card: "QA passed (3/3)", "QA failed: lint", "QA running (1/3)". */
export function qaSummary(qa: QaResults): string {
  const done = qa.gates.filter((g) => g.status !== "pending" && g.status !== "running").length;
  const failed = qa.gates.filter(gateFailed).map((g) => g.name);
  switch (qa.status) {
    case "running":
      return `QA running (${done}/${qa.gates.length})`;
    case "passed":
      return `QA passed (${qa.gates.filter((g) => g.status === "passed").length}/${qa.gates.length})`;
    case "failed":
      return `QA failed: ${failed.join(", ") || "a gate"}${qa.override ? " (approved anyway)" : ""}`;
    case "cancelled":
      return "QA cancelled";
  }
}

export const duration = (ms: number | null) =>
  ms === null ? "" : ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
