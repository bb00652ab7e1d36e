import type { ProjectStatus } from "../../../api/types";

const LABEL: Record<ProjectStatus, string> = {
  pending: "Pending",
  starting: "Starting",
  running: "Running",
  stopping: "Stopping",
  stopped: "Stopped",
  sleeping: "Sleeping",
  failed: "Failed",
  deleting: "Deleting",
  deleted: "Deleted",
};

const TONE: Record<ProjectStatus, string> = {
  pending: "busy",
  starting: "busy",
  running: "ok",
  stopping: "busy",
  stopped: "idle",
  sleeping: "idle",
  failed: "bad",
  deleting: "busy",
  deleted: "idle",
};

export function StatusBadge({ status, live = false }: { status: ProjectStatus; live?: boolean }) {
  return (
    <span className={`badge badge-${TONE[status]}`} {...(live ? { role: "status", "aria-live": "polite" } : {})}>
      <span className="badge-dot" aria-hidden="true" />
      {LABEL[status] ?? status}
    </span>
  );
}
