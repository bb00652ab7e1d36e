import { useEffect, useId, useLayoutEffect, useRef, useState } from "react";
import type { ServiceKind } from "../../../api/types";
import { type LogEntry, useProjectLogs } from "../api/project-logs";

const STATE_TEXT = {
  connecting: "Connecting…",
  open: "Streaming",
  reconnecting: "Reconnecting…",
  ended: "Stopped — the container is not running",
  failed: "Could not connect to the log stream",
} as const;

export function LogsPanel({
  projectId,
  services,
  running,
  generation,
}: {
  projectId: string;
  services: ServiceKind[];
  running: boolean;
  /** Changes when the containers behind the log change (status, observed state): reopen. */
  generation: string;
}) {
  const [service, setService] = useState<ServiceKind>(services[0] ?? "preview");
  const [follow, setFollow] = useState(true);
  const [frozen, setFrozen] = useState<LogEntry[] | null>(null);
  const { lines, state, clear } = useProjectLogs(projectId, service, { enabled: running, generation });
  const box = useRef<HTMLPreElement>(null);
  const selectId = useId();

  useEffect(() => {
    if (!services.includes(service) && services[0]) setService(services[0]);
  }, [services, service]);

  // Pause freezes what is on screen; lines keep arriving and show on resume.
  const shown = follow ? lines : (frozen ?? lines);
  useLayoutEffect(() => {
    if (follow && box.current && shown.length) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);
  const waiting = follow ? 0 : Math.max(0, (lines.at(-1)?.n ?? 0) - (shown.at(-1)?.n ?? 0));

  return (
    <section className="panel logs" aria-labelledby="logs-title">
      <div className="panel-head">
        <h2 id="logs-title">Logs</h2>
        <label htmlFor={selectId} className="visually-hidden">
          Service
        </label>
        <select id={selectId} value={service} onChange={(e) => setService(e.target.value as ServiceKind)}>
          {services.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <span className={`stream-state stream-${running ? state : "ended"}`} role="status">
          {running ? STATE_TEXT[state] : "The project is not running"}
        </span>
        <div className="toolbar">
          <button
            type="button"
            className="button button-small"
            aria-pressed={!follow}
            onClick={() => {
              setFrozen(follow ? lines : null);
              setFollow(!follow);
            }}
          >
            {follow ? "Pause" : waiting ? `Resume (${waiting} new)` : "Resume"}
          </button>
          <button
            type="button"
            className="button button-small"
            onClick={() => {
              clear();
              setFrozen(follow ? null : []);
            }}
          >
            Clear
          </button>
        </div>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be reachable by keyboard */}
      <pre ref={box} className="log-box" role="log" aria-label={`${service} log`} tabIndex={0}>
        {shown.length === 0 ? <span className="muted">No output yet.</span> : null}
        {shown.map((l) => (
          <span key={l.n} className={l.stream === "stderr" ? "log-err" : undefined}>
            {l.line}
            {"\n"}
          </span>
        ))}
      </pre>
    </section>
  );
}
