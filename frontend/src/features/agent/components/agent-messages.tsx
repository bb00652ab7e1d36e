import type { AgentMessage, AgentPart } from "../../../api/types";

const relative = (path: unknown) => (typeof path === "string" ? path.replace(/^\/app\//, "") : "");

/** A tool call in one line: what it did and to what; a command's output folded away. */
function ToolCall({ part }: { part: Extract<AgentPart, { type: "tool" }> }) {
  const input = part.input as Record<string, unknown>;
  const state = part.status === "completed" ? "done" : part.status === "error" ? "failed" : "running";
  const label =
    part.tool === "write" || part.tool === "edit" || part.tool === "read"
      ? `${part.tool === "write" ? "Wrote" : part.tool === "edit" ? "Edited" : "Read"} ${relative(input.filePath)}`
      : part.tool === "bash"
        ? `Ran ${String(input.command ?? "")}`
        : `${part.tool} ${part.title ?? ""}`;
  return (
    <div className={`tool-call tool-${state}`}>
      <span className="tool-state" aria-hidden="true">
        {state === "done" ? "✓" : state === "failed" ? "✕" : "…"}
      </span>
      <span className="tool-label">
        {label}
        <span className="visually-hidden"> ({state})</span>
      </span>
      {part.tool === "bash" && part.output ? (
        <details className="tool-output">
          <summary>Output</summary>
          <pre>{part.output}</pre>
        </details>
      ) : null}
      {part.error ? <p className="tool-error">{part.error}</p> : null}
    </div>
  );
}

function Part({ part }: { part: AgentPart }) {
  switch (part.type) {
    case "text":
      return part.text ? <p className="message-text">{part.text}</p> : null;
    case "reasoning":
      return part.text ? (
        <details className="reasoning">
          <summary>Thinking</summary>
          <p>{part.text}</p>
        </details>
      ) : null;
    case "tool":
      return <ToolCall part={part} />;
    case "files":
      return <p className="files-changed muted">Changed {part.files.map(relative).join(", ")}</p>;
  }
}

export function AgentMessages(props: {
  messages: AgentMessage[];
  onRevert?: (messageId: string) => void;
  revertedFrom: string | null;
  busy: boolean;
}) {
  if (!props.messages.length) return <p className="muted">No messages yet: tell the agent what to build.</p>;
  return (
    <ol className="messages">
      {props.messages.map((m) => (
        <li key={m.id} className={`message message-${m.role}`} aria-label={m.role === "user" ? "You" : "Agent"}>
          {m.parts.map((p) => (
            <Part key={p.id} part={p} />
          ))}
          {m.error ? (
            <p className="alert alert-error" role="alert">
              {m.error}
            </p>
          ) : null}
          {m.role === "user" && props.onRevert ? (
            <button
              type="button"
              className="button button-small button-quiet"
              disabled={props.busy || props.revertedFrom === m.id}
              onClick={() => props.onRevert?.(m.id)}
            >
              {props.revertedFrom === m.id ? "Undone from here" : "Undo changes from here"}
            </button>
          ) : null}
        </li>
      ))}
    </ol>
  );
}
