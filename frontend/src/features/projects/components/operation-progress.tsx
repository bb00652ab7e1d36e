import type { Operation, OperationStep } from "../../../api/types";

const STEP_LABEL: Record<string, string> = {
  pull: "Pull image",
  network: "Create network",
  volume: "Create volume",
  seed: "Copy template files",
  snapshot: "Snapshot the files",
  build: "Build",
  artifact: "Save the artifact",
  create: "Create containers",
  start: "Start containers",
  health: "Wait until healthy",
  route: "Publish hostnames",
  stop: "Stop containers",
  remove: "Remove containers",
};

const KIND_LABEL: Record<Operation["kind"], string> = {
  create: "Creating",
  start: "Starting",
  stop: "Stopping",
  restart: "Restarting",
  delete: "Deleting",
  deploy: "Deploying",
  rollback: "Rolling back",
};

const STEP_ICON: Record<string, string> = {
  pending: "○",
  running: "◐",
  succeeded: "✓",
  failed: "✕",
  canceled: "–",
  skipped: "–",
};

const operationErrorText = (op: Operation): string | null => {
  const e = op.error as unknown;
  if (!e) return null;
  if (typeof e === "string") return e;
  if (typeof e === "object" && e !== null && "message" in e) return String((e as { message: unknown }).message);
  return "The operation failed.";
};

export function OperationProgress({ operation }: { operation: Operation }) {
  const done = operation.status === "succeeded";
  const failed = operation.status === "failed" || operation.status === "canceled";
  const title = done
    ? `${KIND_LABEL[operation.kind]} finished`
    : failed
      ? `${KIND_LABEL[operation.kind]} failed`
      : `${KIND_LABEL[operation.kind]}…`;
  const error = operationErrorText(operation);
  return (
    <section className={`operation ${failed ? "operation-failed" : ""}`} aria-labelledby={`op-${operation.id}`}>
      <div className="operation-head">
        <h2 id={`op-${operation.id}`}>{title}</h2>
        <span className="muted">{Math.round(operation.progress)}%</span>
      </div>
      <progress max={100} value={operation.progress} aria-label={`${title} ${Math.round(operation.progress)}%`} />
      <ol className="steps" aria-live="polite">
        {operation.steps.map((s: OperationStep) => (
          <li key={s.name} className={`step step-${s.status}`}>
            <span className="step-icon" aria-hidden="true">
              {STEP_ICON[s.status] ?? "○"}
            </span>
            <span className="step-name">{STEP_LABEL[s.name] ?? s.name}</span>
            <span className="visually-hidden">: {s.status}</span>
            {s.message ? <span className="step-message muted">{s.message}</span> : null}
          </li>
        ))}
      </ol>
      {error ? (
        <p className="alert alert-error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
