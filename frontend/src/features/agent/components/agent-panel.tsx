import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { Link } from "react-router";
import { isApiError } from "../../../api/errors";
import type { AgentSession, Project } from "../../../api/types";
import { ErrorMessage } from "../../../components/error-message";
import { Loading } from "../../../components/spinner";
import { relativeTime } from "../../../lib/format";
import { useAgentEvents } from "../api/agent-events";
import {
  agentMessagesQuery,
  agentPermissionsQuery,
  agentSessionsQuery,
  useAbort,
  useCancelPrompt,
  useCreateSession,
  usePrompt,
  useReplyPermission,
  useRevert,
} from "../api/agent-sessions";
import { AgentMessages } from "./agent-messages";
import { ProjectModelSettings } from "./project-model-settings";

const STATE_LABEL = { idle: "Idle", working: "Working…", waiting_permission: "Waiting for you", error: "Error" };

/** The chat beside the preview: the project's agent, its sessions, prompts and permissions. */
export function AgentPanel({ project }: { project: Project }) {
  const agent = project.agent;
  return (
    <section className="panel agent-panel" aria-labelledby="agent-title">
      <div className="panel-head">
        <h2 id="agent-title">Agent</h2>
        {agent.configured ? (
          <span className={`badge badge-${agent.state === "error" ? "bad" : agent.state === "idle" ? "idle" : "busy"}`}>
            <span className="badge-dot" aria-hidden="true" />
            {STATE_LABEL[agent.state]}
          </span>
        ) : null}
        {agent.lastEventAt ? <span className="muted small">last event {relativeTime(agent.lastEventAt)}</span> : null}
      </div>
      {!agent.configured ? (
        <div className="alert alert-info">
          <p>
            The agent has no model yet.{" "}
            <Link to={`/settings/agent?return=/projects/${project.id}`}>Configure the agent</Link> (your defaults for
            every project), or set a model for this project only below.
          </p>
        </div>
      ) : agent.state === "error" && agent.message ? (
        <p className="alert alert-error" role="alert">
          {agent.message}
        </p>
      ) : null}
      {agent.configured && project.status === "running" ? (
        <Chat project={project} />
      ) : agent.configured ? (
        <p className="muted">The agent runs with the project: start it to talk to the agent.</p>
      ) : null}
      <ProjectModelSettings projectId={project.id} open={!agent.configured} />
    </section>
  );
}

function Chat({ project }: { project: Project }) {
  const id = project.id;
  const sessions = useQuery(agentSessionsQuery(id));
  const stream = useAgentEvents(sessions.isSuccess ? id : null);
  const [chosen, setChosen] = useState<string | null>(null);
  const create = useCreateSession(id);
  const list = sessions.data ?? [];
  const current = list.find((s) => s.id === chosen) ?? list.find((s) => s.id === project.agent.sessionId) ?? list[0];
  const selectId = useId();

  if (sessions.isPending) return <Loading label="Connecting to the agent…" />;
  if (sessions.isError) {
    const starting =
      isApiError(sessions.error) && ["AGENT_NOT_RUNNING", "AGENT_UNAVAILABLE"].includes(sessions.error.code);
    return starting ? (
      <p className="muted">The agent is starting…</p>
    ) : (
      <ErrorMessage error={sessions.error} title="Could not reach the agent." />
    );
  }
  return (
    <div className="chat">
      <div className="chat-sessions">
        {list.length ? (
          <>
            <label htmlFor={selectId}>Session</label>
            <select id={selectId} value={current?.id ?? ""} onChange={(e) => setChosen(e.target.value)}>
              {list.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.title}
                  {s.status.type !== "idle" ? " (working)" : ""}
                </option>
              ))}
            </select>
          </>
        ) : null}
        <button
          type="button"
          className="button button-small"
          disabled={create.isPending}
          onClick={() => create.mutate(undefined, { onSuccess: (s) => setChosen((s as { id: string }).id) })}
        >
          New session
        </button>
        <span className={`live-dot ${stream === "open" ? "on" : ""}`}>
          <span className="visually-hidden">{stream === "open" ? "Live" : "Reconnecting"}</span>
        </span>
      </div>
      <ErrorMessage error={create.error} title="Could not start a session." />
      {current ? (
        <SessionView projectId={id} session={current} />
      ) : (
        <p className="muted">Start a session to talk to the agent.</p>
      )}
    </div>
  );
}

function SessionView({ projectId, session }: { projectId: string; session: AgentSession }) {
  const messages = useQuery(agentMessagesQuery(projectId, session.id));
  const permissions = useQuery(agentPermissionsQuery(projectId));
  const prompt = usePrompt(projectId);
  const abort = useAbort(projectId);
  const revert = useRevert(projectId);
  const cancel = useCancelPrompt(projectId);
  const reply = useReplyPermission(projectId);
  const [text, setText] = useState("");
  const boxId = useId();
  const busy = session.status.type !== "idle";
  const asks = (permissions.data ?? []).filter((p) => p.sessionId === session.id);
  const queued = session.queue.filter((q) => q.status === "queued");
  // A finished turn may carry changes the stream did not show (e.g. after a reconnect).
  useEffect(() => {
    if (!busy) void messages.refetch();
  }, [busy, messages.refetch]);

  return (
    <>
      <div className="chat-status" role="status" aria-live="polite">
        {session.status.type === "retry"
          ? `Retrying the model: ${session.status.message}`
          : busy
            ? "The agent is working…"
            : "The agent is idle."}
        {busy ? (
          <button
            type="button"
            className="button button-small"
            disabled={abort.isPending}
            onClick={() => abort.mutate(session.id)}
          >
            Stop the agent
          </button>
        ) : null}
      </div>
      <div className="chat-log" role="log" aria-label="Conversation with the agent">
        {messages.isPending ? (
          <Loading label="Loading messages…" />
        ) : (
          <AgentMessages
            messages={messages.data ?? []}
            revertedFrom={session.revertedFrom}
            busy={busy || revert.isPending}
            onRevert={(messageId) => revert.mutate({ sid: session.id, messageId })}
          />
        )}
      </div>
      {asks.map((p) => (
        <div key={p.id} className="alert alert-warning permission" role="alert">
          <p>
            The agent asks for <strong>{p.permission.replace(/_/g, " ")}</strong>: <code>{p.patterns.join(", ")}</code>
          </p>
          <div className="toolbar">
            <button
              type="button"
              className="button button-small button-primary"
              onClick={() => reply.mutate({ pid: p.id, reply: "once" })}
            >
              Allow once
            </button>
            <button
              type="button"
              className="button button-small"
              onClick={() => reply.mutate({ pid: p.id, reply: "always" })}
            >
              Always allow
            </button>
            <button
              type="button"
              className="button button-small button-danger"
              onClick={() => reply.mutate({ pid: p.id, reply: "reject" })}
            >
              Deny
            </button>
          </div>
        </div>
      ))}
      {queued.length ? (
        <section className="queue" aria-label="Queued prompts">
          <h3>Queued ({queued.length})</h3>
          <ol>
            {queued.map((q) => (
              <li key={q.id}>
                <span>{q.text}</span>
                <button type="button" className="button button-small button-quiet" onClick={() => cancel.mutate(q.id)}>
                  Remove<span className="visually-hidden"> queued prompt</span>
                </button>
              </li>
            ))}
          </ol>
        </section>
      ) : null}
      <ErrorMessage
        error={prompt.error ?? abort.error ?? revert.error ?? reply.error ?? cancel.error}
        title="That did not work."
      />
      <form
        className="prompt-box"
        onSubmit={(e) => {
          e.preventDefault();
          if (!text.trim()) return;
          prompt.mutate({ sid: session.id, text }, { onSuccess: () => setText("") });
        }}
      >
        <label htmlFor={boxId}>Message the agent</label>
        <textarea
          id={boxId}
          rows={3}
          value={text}
          placeholder={busy ? "The agent is busy: your message waits in the queue" : "What should the agent change?"}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.metaKey || e.ctrlKey)) e.currentTarget.form?.requestSubmit();
          }}
        />
        <button type="submit" className="button button-primary" disabled={prompt.isPending || !text.trim()}>
          {busy ? "Queue" : "Send"}
        </button>
      </form>
    </>
  );
}
