import { useState } from "react";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { type ProjectUsage, useProjectUsage } from "../api/get-project-usage";

const KIND_LABEL: Record<ProjectUsage["containers"][number]["kind"], string> = {
  preview: "Dev preview",
  opencode: "OpenCode agent",
  production: "Production",
};

/** "512 B", "3.4 KB", "42 MB" (powers of 1024, as docker stats shows them). */
export function byteSize(n: number): string {
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 || v >= 10 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** Traffic per host and CPU and memory per container; fetched only while open. */
export function UsagePanel({ projectId, refreshMs }: { projectId: string; refreshMs?: number }) {
  const [open, setOpen] = useState(false);
  const usage = useProjectUsage(projectId, open, refreshMs);
  return (
    <details className="panel usage" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>
        <h2>Usage</h2>
      </summary>
      {!open ? null : usage.isPending ? (
        <Loading label="Measuring…" />
      ) : usage.isError ? (
        <ErrorMessage error={usage.error} title="Usage is not available." />
      ) : (
        <UsageTables usage={usage.data} />
      )}
    </details>
  );
}

function UsageTables({ usage: u }: { usage: ProjectUsage }) {
  return (
    <>
      <div className="table-wrap">
        <table className="table" aria-label="Traffic per host">
          <thead>
            <tr>
              <th scope="col">Host</th>
              <th scope="col">Requests</th>
              <th scope="col">Sent</th>
              <th scope="col">Last request</th>
            </tr>
          </thead>
          <tbody>
            {u.hosts.map((h) => (
              <tr key={h.hostname}>
                <th scope="row">{h.hostname}</th>
                <td>{h.requests.toLocaleString("en")}</td>
                <td>{byteSize(h.bytesSent)}</td>
                <td title={absoluteTime(h.lastActivityAt)}>{relativeTime(h.lastActivityAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="table-wrap">
        <table className="table" aria-label="Containers">
          <thead>
            <tr>
              <th scope="col">Container</th>
              <th scope="col">CPU</th>
              <th scope="col">Memory</th>
            </tr>
          </thead>
          <tbody>
            {u.containers.map((c) => (
              <tr key={c.kind}>
                <th scope="row">{KIND_LABEL[c.kind]}</th>
                {c.running ? (
                  <>
                    <td>{c.cpuPercent === null ? "–" : `${c.cpuPercent.toFixed(1)} %`}</td>
                    <td>
                      {byteSize(c.memoryBytes ?? 0)} / {byteSize(c.memoryLimitBytes ?? 0)}
                    </td>
                  </>
                ) : (
                  <td colSpan={2} className="muted">
                    not running
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p className="muted">
        Traffic counted by the edge since {absoluteTime(u.since)} (this control-plane process); refreshed every 10
        seconds.
      </p>
    </>
  );
}
