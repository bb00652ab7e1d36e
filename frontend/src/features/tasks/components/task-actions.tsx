// What a reviewer can do with an open task: approve (merge into the main tree, with a message;
// "approve anyway" when a required gate failed), reject with a reason, cancel. A todo task runs.
import { useId, useState } from "react";
import { isApiError } from "../../../api/errors";
import { ErrorMessage } from "../../../components/error-message";
import type { useReviewTask } from "../api/review-task";
import { type Task, useRunTask } from "../api/tasks";
import { blockingGates } from "./task-labels";

const OPEN: readonly Task["status"][] = ["in_progress", "qa", "review"];
const QA_REFUSALS = ["TASK_QA_FAILED", "TASK_QA_RUNNING", "TASK_QA_NOT_RUN"];

export function TaskActions({
  projectId,
  task,
  review,
}: {
  projectId: string;
  task: Task;
  review: ReturnType<typeof useReviewTask>;
}) {
  const run = useRunTask(projectId);
  const [message, setMessage] = useState("");
  const [override, setOverride] = useState(false);
  const [reason, setReason] = useState("");
  const ids = { message: useId(), override: useId(), reason: useId() };
  const blocking = blockingGates(task.qaResults);
  const open = OPEN.includes(task.status);
  // Refused for its gates (failed, still running, or never run on this change): overridable.
  const qaRefused = isApiError(review.approve.error) && QA_REFUSALS.includes(review.approve.error.code);

  if (!open && task.status !== "todo") return null;
  return (
    <section className="panel task-actions" aria-labelledby="task-actions-title">
      <h3 id="task-actions-title">Review</h3>
      {task.status === "todo" ? (
        <div className="form-actions">
          <button
            type="button"
            className="button button-primary"
            disabled={run.isPending}
            onClick={() => run.mutate(task.n)}
          >
            Run
          </button>
          <ErrorMessage error={run.error} title="The task did not start:" />
        </div>
      ) : (
        <>
          <form
            className="form"
            aria-label="Approve"
            onSubmit={(e) => {
              e.preventDefault();
              review.approve.mutate({ message, override });
            }}
          >
            <label htmlFor={ids.message}>Commit message (optional)</label>
            <input
              id={ids.message}
              value={message}
              autoComplete="off"
              placeholder={`Task ${task.n}: ${task.title}`}
              onChange={(e) => setMessage(e.target.value)}
            />
            {blocking.length || qaRefused ? (
              <div className="alert alert-warning">
                <p>
                  {blocking.length
                    ? `A required gate failed: ${blocking.map((g) => g.name).join(", ")}.`
                    : "Its required gates have not passed on this change."}{" "}
                  The task cannot be approved unless you override it; the override is recorded.
                </p>
                <label className="check" htmlFor={ids.override}>
                  <input
                    id={ids.override}
                    type="checkbox"
                    checked={override}
                    onChange={(e) => setOverride(e.target.checked)}
                  />
                  Approve anyway
                </label>
              </div>
            ) : null}
            <div className="form-actions">
              <button
                type="submit"
                className="button button-primary"
                disabled={review.approve.isPending || (blocking.length > 0 && !override)}
              >
                {review.approve.isPending ? "Merging…" : "Approve and merge"}
              </button>
            </div>
            <ErrorMessage error={review.approve.error} title="Not approved:" />
            {qaRefused ? <p className="muted small">Tick “Approve anyway” to merge it all the same.</p> : null}
          </form>
          <form
            className="form"
            aria-label="Reject"
            onSubmit={(e) => {
              e.preventDefault();
              review.reject.mutate(reason);
            }}
          >
            <label htmlFor={ids.reason}>Reason for rejecting</label>
            <textarea id={ids.reason} rows={2} value={reason} onChange={(e) => setReason(e.target.value)} />
            <div className="form-actions">
              <button
                type="submit"
                className="button button-danger"
                disabled={!reason.trim() || review.reject.isPending}
              >
                Reject
              </button>
            </div>
            <ErrorMessage error={review.reject.error} title="Not rejected:" />
          </form>
        </>
      )}
      <div className="form-actions">
        <button
          type="button"
          className="button"
          disabled={review.cancel.isPending}
          onClick={() => review.cancel.mutate(undefined)}
        >
          Cancel task
        </button>
      </div>
      <ErrorMessage error={review.cancel.error} title="Not cancelled:" />
    </section>
  );
}
