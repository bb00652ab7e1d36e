// One task: what it asks, its agent's transcript, its QA gates, its changes with inline review
// comments, its own preview while in review, and the reviewer's actions. The transcript and the
// preview frame belong to other features and come in from app/routes.
import { useQuery } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link } from "react-router";
import { isApiError } from "../../../api/errors";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { useReviewTask } from "../api/review-task";
import { taskQuery } from "../api/tasks";
import { QaResults } from "./qa-results";
import { TaskActions } from "./task-actions";
import { TaskDiffReview } from "./task-diff-review";
import { AGENT_LABEL, STATUS_LABEL } from "./task-labels";
import "./tasks.css";

const ROUND_LABEL = {
  approve: "Approved",
  reject: "Rejected",
  cancel: "Cancelled",
  request_changes: "Changes requested",
} as const;

export function TaskPage({
  projectId,
  n,
  transcript,
  preview,
}: {
  projectId: string;
  n: number;
  transcript: (sessionId: string) => ReactNode;
  preview: (url: string, title: string) => ReactNode;
}) {
  const task = useQuery(taskQuery(projectId, n));
  const review = useReviewTask(projectId, n);
  const back = (
    <Link to={`/projects/${projectId}/tasks`} className="task-back">
      ← All tasks
    </Link>
  );
  if (task.isPending) return <Loading label="Loading the task…" />;
  if (task.isError) {
    return (
      <section className="panel">
        {back}
        {isApiError(task.error) && task.error.status === 404 ? (
          <p>There is no task {n} in this project.</p>
        ) : (
          <ErrorMessage error={task.error} title="Could not load the task." />
        )}
      </section>
    );
  }
  const t = task.data;
  const open = t.status === "in_progress" || t.status === "qa" || t.status === "review";
  return (
    <div className="task-page">
      <section className="panel" aria-labelledby="task-title">
        {back}
        <h2 id="task-title">
          <span className="task-number">#{t.n}</span> {t.title}
        </h2>
        <div className="task-card-meta">
          <span className={`task-status task-status-${t.status}`}>{STATUS_LABEL[t.status]}</span>
          {t.agent ? (
            <span className={`task-agent task-agent-${t.agent.state}`}>{AGENT_LABEL[t.agent.state]}</span>
          ) : null}
          <span className="muted" title={absoluteTime(t.updatedAt)}>
            updated {relativeTime(t.agent?.lastActivityAt ?? t.updatedAt)}
          </span>
          {t.branch ? <code className="muted">{t.branch}</code> : null}
          {t.mergeCommit ? <code className="muted">merged as {t.mergeCommit.slice(0, 7)}</code> : null}
        </div>
        {t.emptyDiff ? <p className="alert alert-warning">The agent finished without changing any file.</p> : null}
        {t.agent?.state === "error" && t.agent.error ? <p className="alert alert-error">{t.agent.error}</p> : null}
        {t.description ? <p className="task-description">{t.description}</p> : <p className="muted">No description.</p>}
      </section>

      <TaskActions projectId={projectId} task={t} review={review} />
      {t.branch || t.qaResults ? <QaResults task={t} rerun={open ? review.rerunQa : null} /> : null}
      {t.branch && open ? (
        <TaskDiffReview projectId={projectId} task={t} review={review} canRequestChanges={open} />
      ) : null}
      {t.previewUrl ? preview(t.previewUrl, `task #${t.n}`) : null}

      <section className="panel" aria-labelledby="transcript-title">
        <h3 id="transcript-title">Agent transcript</h3>
        {t.sessionId ? (
          transcript(t.sessionId)
        ) : (
          <p className="muted">
            {t.status === "todo"
              ? "The agent's conversation shows here once the task runs."
              : "This task has no agent session: there is no transcript to show."}
          </p>
        )}
      </section>

      {t.reviewHistory.length ? (
        <section className="panel" aria-labelledby="rounds-title">
          <h3 id="rounds-title">Review history</h3>
          <ol className="task-rounds">
            {t.reviewHistory.map((r) => (
              <li key={r.at}>
                <strong>{ROUND_LABEL[r.action]}</strong>{" "}
                <time className="muted" dateTime={r.at} title={absoluteTime(r.at)}>
                  {relativeTime(r.at)}
                </time>
                {r.message ? <p className="task-description">{r.message}</p> : null}
                {r.comments?.length ? (
                  <ul>
                    {r.comments.map((c) => (
                      <li key={`${c.path}:${c.line}:${c.body}`}>
                        <code>
                          {c.path}:{c.line}
                        </code>{" "}
                        {c.body}
                      </li>
                    ))}
                  </ul>
                ) : null}
              </li>
            ))}
          </ol>
        </section>
      ) : null}
    </div>
  );
}
