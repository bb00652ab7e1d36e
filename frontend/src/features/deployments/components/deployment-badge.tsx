import type { DeploymentStatus } from "../../../api/types";

const LABEL: Record<DeploymentStatus, string> = {
  queued: "Queued",
  building: "Building",
  starting: "Starting",
  live: "Live",
  superseded: "Superseded",
  failed: "Failed",
  cancelled: "Cancelled",
};

const TONE: Record<DeploymentStatus, string> = {
  queued: "busy",
  building: "busy",
  starting: "busy",
  live: "ok",
  superseded: "idle",
  failed: "bad",
  cancelled: "idle",
};

export function DeploymentBadge({ status }: { status: DeploymentStatus }) {
  return (
    <span className={`badge badge-${TONE[status]}`}>
      <span className="badge-dot" aria-hidden="true" />
      {LABEL[status]}
    </span>
  );
}

export const formatBytes = (n: number | null) => {
  if (n === null) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
};

export const formatDuration = (ms: number | null) => {
  if (ms === null) return "—";
  return ms < 60_000
    ? `${(ms / 1000).toFixed(1)} s`
    : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
};
