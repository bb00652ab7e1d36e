// The Deployments tab: every deployment kept (status, when, build time, who, size), the disk
// they use, each one's log, and a rollback with confirmation.
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Deployment, Project } from "../../../api/types";
import { Dialog } from "../../../components/dialog";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { deploymentQuery, isActive, useDeployments, useRollback } from "../api/deployments";
import { DeploymentBadge, formatBytes, formatDuration } from "./deployment-badge";
import { DeploymentLogBox, storedLines } from "./deployment-log-box";

const what = (d: Deployment) => (d.kind === "rollback" ? `Rollback to #${d.rollbackOf}` : "Build");
const who = (d: Deployment) => d.requestedBy?.name ?? d.requestedBy?.email ?? "—";

function StoredLog({ projectId, number }: { projectId: string; number: number }) {
  const q = useQuery(deploymentQuery(projectId, number));
  if (q.isPending) return <Loading label="Loading the log…" />;
  if (q.isError) return <ErrorMessage error={q.error} title="Could not load the log." />;
  return <DeploymentLogBox lines={storedLines(q.data.log)} label={`Log of deployment #${number}`} />;
}

export function DeploymentsTab({ project }: { project: Project }) {
  const history = useDeployments(project.id);
  const rollback = useRollback(project.id);
  const [confirming, setConfirming] = useState<Deployment | null>(null);
  const [open, setOpen] = useState<number | null>(null);
  if (history.isPending) return <Loading label="Loading deployments…" />;
  if (history.isError) return <ErrorMessage error={history.error} title="Could not load the deployments." />;
  const { deployments, diskBytes, keep } = history.data;
  const busy = deployments.some(isActive);

  return (
    <section aria-labelledby="deployments-title">
      <div className="panel-head">
        <h2 id="deployments-title">Deployments</h2>
        <span className="muted">
          {formatBytes(diskBytes)} on disk · the last {keep} that can serve are kept
        </span>
      </div>
      <ErrorMessage error={rollback.error} title="The rollback did not start." />
      {deployments.length === 0 ? <p className="muted">No deployments yet: use Deploy above.</p> : null}
      {deployments.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">#</th>
                <th scope="col">Status</th>
                <th scope="col">What</th>
                <th scope="col">Created</th>
                <th scope="col">Build time</th>
                <th scope="col">By</th>
                <th scope="col">Size</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deployments.map((d) => (
                <tr key={d.number}>
                  <td>{d.number}</td>
                  <td>
                    <DeploymentBadge status={d.status} />
                    {d.warm ? <span className="muted"> warm</span> : null}
                    {d.error ? <div className="deployment-error">{d.error}</div> : null}
                  </td>
                  <td>{what(d)}</td>
                  <td title={absoluteTime(d.createdAt)}>{relativeTime(d.createdAt)}</td>
                  <td>{formatDuration(d.buildDurationMs)}</td>
                  <td>{who(d)}</td>
                  <td>{formatBytes(d.sizeBytes)}</td>
                  <td className="row-actions">
                    <button
                      type="button"
                      className="button button-small"
                      aria-expanded={open === d.number}
                      aria-label={`Log of #${d.number}`}
                      onClick={() => setOpen(open === d.number ? null : d.number)}
                    >
                      {open === d.number ? "Hide log" : "Log"}
                    </button>
                    {d.status === "superseded" ? (
                      <button
                        type="button"
                        className="button button-small"
                        disabled={busy}
                        aria-label={`Roll back to #${d.number}`}
                        onClick={() => {
                          rollback.reset();
                          setConfirming(d);
                        }}
                      >
                        Roll back
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {open !== null ? <StoredLog projectId={project.id} number={open} /> : null}
      <Dialog
        open={confirming !== null}
        title={`Roll back to #${confirming?.number ?? ""}?`}
        onClose={() => setConfirming(null)}
      >
        <p>
          The public address serves deployment #{confirming?.number} again (built {relativeTime(confirming?.createdAt)}
          ).{" "}
          {confirming?.warm
            ? "It is still running: the switch is instant."
            : "It was stopped: it is started and checked first, which takes a few seconds."}{" "}
          The rollback is recorded as a deployment of its own.
        </p>
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={rollback.isPending}
            onClick={() => {
              if (confirming) rollback.mutate(confirming.number, { onSettled: () => setConfirming(null) });
            }}
          >
            Roll back
          </button>
          <button type="button" className="button" onClick={() => setConfirming(null)}>
            Cancel
          </button>
        </div>
      </Dialog>
    </section>
  );
}
