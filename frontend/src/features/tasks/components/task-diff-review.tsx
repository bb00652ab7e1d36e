// The task's changes against its base commit, with comments on new-side lines that collect into
// one request for changes: the comments ({path, line, body}) and a message go back to the agent.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { FileDiff } from "../../../api/types";
import { type DiffAnnotations, type DiffMode, DiffView } from "../../../components/diff-view";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import type { useReviewTask } from "../api/review-task";
import { type ReviewComment, type Task, taskDiffQuery } from "../api/tasks";

type Spot = { path: string; line: number };
const same = (a: Spot, b: Spot) => a.path === b.path && a.line === b.line;

function CommentDraft({
  spot,
  onSave,
  onCancel,
}: {
  spot: Spot;
  onSave: (body: string) => void;
  onCancel: () => void;
}) {
  const [body, setBody] = useState("");
  return (
    <form
      className="diff-comment-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (body.trim()) onSave(body.trim());
      }}
    >
      <textarea
        rows={2}
        aria-label={`Comment on ${spot.path} line ${spot.line}`}
        value={body}
        // biome-ignore lint/a11y/noAutofocus: the person just asked to write this comment
        autoFocus
        onChange={(e) => setBody(e.target.value)}
      />
      <div className="form-actions">
        <button type="submit" className="button button-small button-primary" disabled={!body.trim()}>
          Add comment
        </button>
        <button type="button" className="button button-small" onClick={onCancel}>
          Discard
        </button>
      </div>
    </form>
  );
}

export function TaskDiffReview({
  projectId,
  task,
  review,
  canRequestChanges,
}: {
  projectId: string;
  task: Task;
  review: ReturnType<typeof useReviewTask>;
  canRequestChanges: boolean;
}) {
  const diff = useQuery(taskDiffQuery(projectId, task.n));
  const [mode, setMode] = useState<DiffMode>("unified");
  const [comments, setComments] = useState<ReviewComment[]>([]);
  const [draft, setDraft] = useState<Spot | null>(null);
  const [message, setMessage] = useState("");
  const messageId = useId();

  const spot = (file: FileDiff, line: { newLine: number }): Spot => ({ path: file.path, line: line.newLine });
  const annotate: DiffAnnotations | undefined = canRequestChanges
    ? {
        action: (file, line) => (
          <button
            type="button"
            className="diff-comment-button"
            aria-label={`Comment on ${file.path} line ${line.newLine}`}
            onClick={() => setDraft(spot(file, line))}
          >
            +
          </button>
        ),
        below: (file, line) => {
          const here = spot(file, line);
          const saved = comments.filter((c) => same(c, here));
          const drafting = draft && same(draft, here);
          if (!saved.length && !drafting) return null;
          return (
            <>
              {saved.map((c) => (
                <div key={`${c.path}:${c.line}:${c.body}`} className="diff-comment">
                  <p>{c.body}</p>
                  <button
                    type="button"
                    className="button button-small button-quiet"
                    onClick={() => setComments((all) => all.filter((x) => x !== c))}
                  >
                    Remove<span className="visually-hidden"> the comment on line {c.line}</span>
                  </button>
                </div>
              ))}
              {drafting ? (
                <CommentDraft
                  spot={here}
                  onCancel={() => setDraft(null)}
                  onSave={(body) => {
                    setComments((all) => [...all, { ...here, body }]);
                    setDraft(null);
                  }}
                />
              ) : null}
            </>
          );
        },
      }
    : undefined;

  return (
    <section className="panel task-diff" aria-labelledby="task-diff-title">
      <div className="panel-head">
        <h3 id="task-diff-title">Changes</h3>
        <fieldset className="segmented">
          <legend className="visually-hidden">Diff layout</legend>
          {(["unified", "split"] as const).map((v) => (
            <label key={v}>
              <input type="radio" name="task-diff-mode" value={v} checked={mode === v} onChange={() => setMode(v)} />
              {v === "unified" ? "Unified" : "Split"}
            </label>
          ))}
        </fieldset>
      </div>
      {diff.isPending ? <Loading label="Loading the diff…" /> : null}
      <ErrorMessage error={diff.error} title="Could not load the diff." />
      {diff.data ? (
        <>
          <p className="muted">
            {diff.data.stats.files} {diff.data.stats.files === 1 ? "file" : "files"} changed,{" "}
            <span className="diff-add">+{diff.data.stats.additions}</span>{" "}
            <span className="diff-del">−{diff.data.stats.deletions}</span>
            {diff.data.truncated ? " (cut: the diff is too large to show whole)" : ""}
          </p>
          <DiffView files={diff.data.files} mode={mode} annotate={annotate} />
        </>
      ) : null}
      {canRequestChanges ? (
        <form
          className="form request-changes"
          aria-label="Request changes"
          onSubmit={(e) => {
            e.preventDefault();
            review.requestChanges.mutate(
              { comments, message },
              {
                onSuccess: () => {
                  setComments([]);
                  setMessage("");
                },
              },
            );
          }}
        >
          <label htmlFor={messageId}>Message to the agent</label>
          <textarea id={messageId} rows={2} value={message} onChange={(e) => setMessage(e.target.value)} />
          <div className="form-actions">
            <button
              type="submit"
              className="button"
              disabled={review.requestChanges.isPending || (!comments.length && !message.trim())}
            >
              Request changes
              {comments.length ? ` (${comments.length} ${comments.length === 1 ? "comment" : "comments"})` : ""}
            </button>
          </div>
          <ErrorMessage error={review.requestChanges.error} title="The changes were not requested:" />
        </form>
      ) : null}
    </section>
  );
}
