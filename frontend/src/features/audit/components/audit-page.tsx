import { useInfiniteQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import type { AuditEvent, AuditFilters } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { PageTitle } from "../../../components/page-title";
import { Loading } from "../../../components/spinner";
import { useMe } from "../../../lib/auth";
import { absoluteTime, relativeTime } from "../../../lib/format";
import { auditQuery } from "../api/audit";

type Filters = Omit<AuditFilters, "cursor">;
const FIELDS = ["actor", "project", "action", "from", "to"] as const;
type Draft = Record<(typeof FIELDS)[number], string>;
const EMPTY: Draft = { actor: "", project: "", action: "", from: "", to: "" };

/** The form's text as API filters: blanks left out, local times as ISO instants. */
function toFilters(d: Draft): Filters {
  const f: Filters = { limit: 50 };
  if (d.actor.trim()) f.actor = d.actor.trim();
  if (d.project.trim()) f.project = d.project.trim();
  if (d.action.trim()) f.action = d.action.trim();
  for (const k of ["from", "to"] as const) {
    const t = new Date(d[k]);
    if (d[k] && !Number.isNaN(t.getTime())) f[k] = t.toISOString();
  }
  return f;
}

export function AuditPage() {
  const me = useMe();
  const admin = me.data?.role === "admin";
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [filters, setFilters] = useState<Filters>({ limit: 50 });
  const log = useInfiniteQuery(auditQuery(filters));
  const events = log.data?.pages.flatMap((p) => p.events) ?? [];
  const id = useId();
  const field = (name: (typeof FIELDS)[number], label: string, props: React.InputHTMLAttributes<HTMLInputElement>) => (
    <div className="field">
      <label htmlFor={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        value={draft[name]}
        onChange={(e) => setDraft({ ...draft, [name]: e.target.value })}
        {...props}
      />
    </div>
  );
  return (
    <>
      <PageTitle>Audit log</PageTitle>
      <p className="muted">
        {admin ? "Everything anyone did on this installation, newest first." : "What you did, newest first."}
      </p>
      <form
        className="audit-filters"
        aria-label="Filter the audit log"
        onSubmit={(e) => {
          e.preventDefault();
          setFilters(toFilters(draft));
        }}
      >
        {admin ? field("actor", "Actor (user id)", { placeholder: "any user" }) : null}
        {field("project", "Project id", { placeholder: "any project" })}
        {field("action", "Action", { placeholder: "project.create or project.*" })}
        {field("from", "From", { type: "datetime-local" })}
        {field("to", "To", { type: "datetime-local" })}
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            Filter
          </button>
          <button
            type="button"
            className="button"
            onClick={() => {
              setDraft(EMPTY);
              setFilters({ limit: 50 });
            }}
          >
            Clear
          </button>
        </div>
      </form>
      {log.isPending ? <Loading label="Loading the audit log…" /> : null}
      <ErrorMessage error={log.error} title="Could not load the audit log." />
      {log.data && events.length === 0 ? <p className="muted">No events match.</p> : null}
      {events.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td title={absoluteTime(e.createdAt)}>{relativeTime(e.createdAt)}</td>
                  <td>{actorOf(e, me.data?.id)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.target ? <code>{e.target}</code> : ""}</td>
                  <td>{e.ip ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {log.hasNextPage ? (
        <p>
          <button
            type="button"
            className="button"
            disabled={log.isFetchingNextPage}
            onClick={() => void log.fetchNextPage()}
          >
            {log.isFetchingNextPage ? "Loading…" : "Load older events"}
          </button>
        </p>
      ) : null}
    </>
  );
}

function actorOf(e: AuditEvent, myId: string | undefined) {
  if (!e.actorId) return <span className="muted">the system</span>;
  if (e.actorId === myId) return "you";
  return <code title={e.actorId}>{e.actorId.slice(0, 8)}</code>;
}
