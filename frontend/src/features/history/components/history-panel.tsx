// The History tab: uncommitted changes (with a commit form) and every commit, newest first —
// by the person, the agent or the template — with its diff (unified or split) and a restore
// that records the old files as a new commit, after a confirmation.
import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { Commit } from "../../../api/types";
import { Dialog } from "../../../components/dialog";
import { type DiffMode, DiffView } from "../../../components/diff-view";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { relativeTime } from "../../../lib/format";
import { commitsQuery, diffQuery, useHistoryMutations } from "../api/history";
import "./history.css";

const AGENT_EMAIL = "agent@devsanctum.invalid";
const PLATFORM_EMAIL = "platform@devsanctum.invalid";

function who(c: Commit) {
  if (c.author.email === AGENT_EMAIL) return "the agent";
  if (c.author.email === PLATFORM_EMAIL) return "DevSanctum";
  return c.author.name;
}

export function HistoryPanel({ projectId }: { projectId: string }) {
  const commits = useQuery(commitsQuery(projectId));
  const [selected, setSelected] = useState<string | null>(null);
  const [mode, setMode] = useState<DiffMode>("unified");
  const [restoring, setRestoring] = useState<Commit | null>(null);
  const [message, setMessage] = useState("");
  const diff = useQuery(diffQuery(projectId, selected));
  const m = useHistoryMutations(projectId);
  const messageId = useId();
  const chosen = commits.data?.commits.find((c) => c.id === selected) ?? null;

  return (
    <section className="panel history-panel" aria-labelledby="history-title">
      <div className="panel-head">
        <h2 id="history-title">History</h2>
      </div>
      <div className="history-layout">
        <nav aria-label="Commits" className="history-list">
          <ul>
            <li>
              <button
                type="button"
                className={`history-item${selected === null ? " selected" : ""}`}
                aria-current={selected === null ? "true" : undefined}
                onClick={() => setSelected(null)}
              >
                <span className="history-subject">Uncommitted changes</span>
                <span className="muted">the files as they are now</span>
              </button>
            </li>
            {commits.isPending ? (
              <li>
                <Loading label="Loading history…" />
              </li>
            ) : null}
            {commits.data?.commits.map((c) => (
              <li key={c.id}>
                <button
                  type="button"
                  className={`history-item${selected === c.id ? " selected" : ""}`}
                  aria-current={selected === c.id ? "true" : undefined}
                  onClick={() => setSelected(c.id)}
                >
                  <span className="history-subject">{c.subject}</span>
                  <span className="muted">
                    {who(c)} · {relativeTime(c.time)} · {c.files.length} {c.files.length === 1 ? "file" : "files"} ·{" "}
                    <code>{c.id.slice(0, 7)}</code>
                  </span>
                </button>
              </li>
            ))}
          </ul>
          <ErrorMessage error={commits.error} title="Could not load the history." />
        </nav>
        <div className="history-detail">
          <div className="history-detail-bar">
            <h3>{chosen ? chosen.subject : "Uncommitted changes"}</h3>
            <fieldset className="segmented">
              <legend className="visually-hidden">Diff layout</legend>
              {(["unified", "split"] as const).map((v) => (
                <label key={v}>
                  <input type="radio" name="diff-mode" value={v} checked={mode === v} onChange={() => setMode(v)} />
                  {v === "unified" ? "Unified" : "Split"}
                </label>
              ))}
            </fieldset>
            {chosen ? (
              <button type="button" className="button" onClick={() => setRestoring(chosen)}>
                Restore…
              </button>
            ) : null}
          </div>
          {chosen ? (
            <p className="muted">
              {chosen.author.name} &lt;{chosen.author.email}&gt; · {new Date(chosen.time).toLocaleString()}
            </p>
          ) : (
            <form
              className="form commit-form"
              onSubmit={(e) => {
                e.preventDefault();
                m.commit.mutate(message.trim(), { onSuccess: () => setMessage("") });
              }}
            >
              <label htmlFor={messageId}>Commit message</label>
              <input id={messageId} value={message} onChange={(e) => setMessage(e.target.value)} autoComplete="off" />
              <button
                type="submit"
                className="button button-primary"
                disabled={!message.trim() || m.commit.isPending || diff.data?.files.length === 0}
              >
                Commit
              </button>
              <ErrorMessage error={m.commit.error} title="Nothing was committed." />
            </form>
          )}
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
              <DiffView files={diff.data.files} mode={mode} />
            </>
          ) : null}
        </div>
      </div>
      <Dialog open={restoring !== null} title="Restore these files?" onClose={() => setRestoring(null)}>
        {restoring ? (
          <form
            className="form"
            onSubmit={(e) => {
              e.preventDefault();
              m.restore.mutate(restoring.id, {
                onSuccess: (r) => {
                  setRestoring(null);
                  setSelected(r.commit.id);
                },
              });
            }}
          >
            <p>
              The project's files become what they were at <code>{restoring.id.slice(0, 7)}</code> ({restoring.subject}
              ). Nothing is lost: uncommitted changes are committed first, and the restore is a new commit you can undo.
            </p>
            <ErrorMessage error={m.restore.error} title="Nothing was restored." />
            <div className="form-actions">
              <button type="submit" className="button button-primary" disabled={m.restore.isPending}>
                {m.restore.isPending ? "Restoring…" : "Restore"}
              </button>
              <button type="button" className="button" onClick={() => setRestoring(null)}>
                Cancel
              </button>
            </div>
          </form>
        ) : null}
      </Dialog>
    </section>
  );
}
