// One card of the board: number, title (to the task's page), status, the agent's state and last
// activity, the empty-diff flag and the QA summary; todo cards can be run from here.
import { Link } from "react-router";
import { relativeTime } from "../../../lib/format";
import type { Task } from "../api/tasks";
import { AGENT_LABEL, qaSummary, STATUS_LABEL } from "./task-labels";

export function TaskCard({
  task,
  projectId,
  handle,
  onRun,
  running,
}: {
  task: Task;
  projectId: string;
  /** The drag handle (absent on the copy that follows the pointer). */
  handle?: React.ReactNode;
  onRun?: (n: number) => void;
  running?: boolean;
}) {
  const agent = task.agent;
  const active = agent?.lastActivityAt ?? task.updatedAt;
  const qa = task.qaResults;
  const container = containerState(task);
  return (
    <article className="task-card" aria-label={`Task #${task.n}: ${task.title}`}>
      <div className="task-card-head">
        {handle}
        <span className="task-number">#{task.n}</span>
        <Link className="task-title" to={`/projects/${projectId}/tasks/${task.n}`}>
          {task.title}
        </Link>
      </div>
      <div className="task-card-meta">
        <span className={`task-status task-status-${task.status}`}>{STATUS_LABEL[task.status]}</span>
        {agent ? <span className={`task-agent task-agent-${agent.state}`}>{AGENT_LABEL[agent.state]}</span> : null}
        {container ? <span className="task-container muted">{container}</span> : null}
        <time dateTime={active} className="muted">
          {relativeTime(active)}
        </time>
      </div>
      {task.emptyDiff ? <p className="task-flag">Empty diff: the agent changed nothing</p> : null}
      {agent?.state === "error" && agent.error ? <p className="task-flag">{agent.error}</p> : null}
      {qa ? <p className={`task-qa task-qa-${qa.status}`}>{qaSummary(qa)}</p> : null}
      {task.status === "todo" && onRun ? (
        <button
          type="button"
          className="button button-small button-primary"
          disabled={running}
          aria-label={`Run task #${task.n}`}
          onClick={() => onRun(task.n)}
        >
          Run
        </button>
      ) : null}
    </article>
  );
}

/** What runs for the task in its own container, if anything: its QA gates, or its review preview. */
function containerState(task: Task): string | null {
  if (task.status === "qa" && task.qaResults?.status === "running") return "Gate container running";
  if (task.status === "review") return task.previewUrl ? "Preview running" : "Preview starting";
  return null;
}
