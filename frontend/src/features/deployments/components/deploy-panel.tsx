// The project page's Production panel: the Deploy button and what the newest deployment is
// doing — building (its log streaming), live (a link to the public host), failed (the reason,
// its log, a retry).
import { useState } from "react";
import type { Deployment, Project } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { relativeTime } from "../../../lib/format";
import { useDeploymentLog } from "../api/deployment-log";
import { isActive, useCancelDeployment, useDeploy, useDeployments } from "../api/deployments";
import { DeploymentBadge } from "./deployment-badge";
import { DeploymentLogBox } from "./deployment-log-box";

const STEP_TEXT: Partial<Record<Deployment["status"], string>> = {
  queued: "Queued: taking the snapshot of your files…",
  building: "Building…",
  starting: "Starting the new version and checking its health…",
};

export function DeployPanel({ project }: { project: Project }) {
  const history = useDeployments(project.id);
  const deploy = useDeploy(project.id);
  const cancel = useCancelDeployment(project.id);
  const [showLog, setShowLog] = useState(false);
  const deployments = history.data?.deployments ?? [];
  const active = deployments.find(isActive);
  const live = deployments.find((d) => d.status === "live");
  const newest = deployments[0];
  const failed = !active && newest && (newest.status === "failed" || newest.status === "cancelled") ? newest : null;
  // The log streams while a deployment runs, and on request for a failed one.
  const logOf = active ?? (failed && showLog ? failed : null);
  const log = useDeploymentLog(project.id, logOf?.number ?? null);
  const busy = !!active || deploy.isPending || project.desiredState === "deleted";

  return (
    <section className="panel deploy-panel" aria-labelledby="deploy-title">
      <div className="panel-head">
        <h2 id="deploy-title">Production</h2>
        {live?.url ? (
          <span className="deploy-live">
            <DeploymentBadge status="live" />{" "}
            <a href={live.url} target="_blank" rel="noopener noreferrer">
              {live.url}
            </a>{" "}
            <span className="muted">
              #{live.number} · deployed {relativeTime(live.liveAt)}
            </span>
          </span>
        ) : null}
        <div className="toolbar">
          <button
            type="button"
            className="button button-primary"
            disabled={busy}
            onClick={() => {
              setShowLog(false);
              deploy.mutate(undefined);
            }}
          >
            {active ? "Deploying…" : "Deploy"}
          </button>
        </div>
      </div>
      {!live && !active && !failed ? (
        <p className="muted">
          Not deployed yet. Deploy builds a snapshot of the project's files and serves it on its public address; the
          preview stays private.
        </p>
      ) : null}
      {project.desiredState === "stopped" ? (
        <p className="muted">The project is stopped: a deployment is built now and serves once you start it.</p>
      ) : null}
      <ErrorMessage error={deploy.error} title="The deployment did not start." />
      <ErrorMessage error={cancel.error} title="The deployment was not cancelled." />
      {active ? (
        <div className="deploy-progress">
          <p role="status">
            <DeploymentBadge status={active.status} /> <strong>#{active.number}</strong>{" "}
            {active.cancelRequested ? "Cancelling…" : (STEP_TEXT[active.status] ?? "")}
            {live ? <span className="muted"> #{live.number} keeps serving until the new one is healthy.</span> : null}
          </p>
          <DeploymentLogBox lines={log.lines} label={`Log of deployment #${active.number}`} />
          <div className="form-actions">
            <button
              type="button"
              className="button"
              disabled={active.cancelRequested || cancel.isPending}
              onClick={() => cancel.mutate(active.number)}
            >
              Cancel deployment
            </button>
          </div>
        </div>
      ) : null}
      {failed ? (
        <div className="alert alert-error" role="alert">
          <span>
            <strong>
              Deployment #{failed.number} {failed.status === "cancelled" ? "was cancelled" : "failed"}:
            </strong>{" "}
            {failed.error ?? "no reason was given"}.{live ? ` #${live.number} is still serving.` : ""}
          </span>
          <button type="button" className="button button-small" onClick={() => setShowLog(!showLog)}>
            {showLog ? "Hide log" : "Show log"}
          </button>
          <button
            type="button"
            className="button button-small"
            disabled={busy}
            onClick={() => deploy.mutate(undefined)}
          >
            Retry
          </button>
        </div>
      ) : null}
      {failed && showLog ? <DeploymentLogBox lines={log.lines} label={`Log of deployment #${failed.number}`} /> : null}
    </section>
  );
}
