// The task's QA gates, in order: each with its status, whether it is required, its duration and
// exit code, and its output folded away; a re-run when the task is open.
import { ErrorMessage } from "../../../components/error-message";
import { relativeTime } from "../../../lib/format";
import type { useReviewTask } from "../api/review-task";
import type { QaResults as Results, Task } from "../api/tasks";
import { duration, GATE_LABEL, gateFailed, qaSummary } from "./task-labels";

export function QaResults({ task, rerun }: { task: Task; rerun: ReturnType<typeof useReviewTask>["rerunQa"] | null }) {
  const qa: Results | null = task.qaResults;
  return (
    <section className="panel task-qa-panel" aria-labelledby="qa-title">
      <div className="panel-head">
        <h3 id="qa-title">QA gates</h3>
        {qa ? <span className={`task-qa task-qa-${qa.status}`}>{qaSummary(qa)}</span> : null}
        {rerun ? (
          <button
            type="button"
            className="button button-small"
            disabled={rerun.isPending || qa?.status === "running"}
            onClick={() => rerun.mutate(undefined)}
          >
            Re-run QA
          </button>
        ) : null}
      </div>
      {rerun ? <ErrorMessage error={rerun.error} title="The gates did not run again:" /> : null}
      {!qa ? (
        <p className="muted">The gates run once the agent has finished its work.</p>
      ) : (
        <>
          <p className="muted small">
            Started {relativeTime(qa.startedAt)}
            {qa.finishedAt ? `, finished ${relativeTime(qa.finishedAt)}` : ", still running"}.
            {qa.override ? ` Approved despite a failing gate ${relativeTime(qa.override.at)}.` : ""}
            {qa.override?.reason ? ` Reason: ${qa.override.reason}` : ""}
          </p>
          <ol className="qa-gates">
            {[...qa.gates]
              .sort((a, b) => a.order - b.order)
              .map((g) => (
                <li key={g.name} className={`qa-gate qa-gate-${g.status}`}>
                  <details open={gateFailed(g)}>
                    <summary>
                      <strong>{g.name}</strong> <span className="muted">{g.required ? "required" : "advisory"}</span>{" "}
                      <span className={`qa-status qa-status-${g.status}`}>{GATE_LABEL[g.status]}</span>
                      {g.durationMs !== null ? <span className="muted"> · {duration(g.durationMs)}</span> : null}
                      {g.exitCode !== null ? <span className="muted"> · exit {g.exitCode}</span> : null}
                    </summary>
                    <p className="muted small">
                      <code>{g.command}</code> (timeout {g.timeoutSeconds} s)
                    </p>
                    {g.output ? (
                      <pre className="log-box log-box-short">{g.output}</pre>
                    ) : (
                      <p className="muted small">No output.</p>
                    )}
                  </details>
                </li>
              ))}
          </ol>
        </>
      )}
    </section>
  );
}
