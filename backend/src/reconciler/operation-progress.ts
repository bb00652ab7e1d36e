import type { OperationMetrics } from "../ports/metrics.port.js";
import type { OperationRecord, OperationStep, ReconcileStore, StepName } from "../ports/projects.port.js";
import { overallProgress } from "../shared/operation-steps.js";

/**
 * Reports a reconcile pass on the operation that asked for it (when there is one): steps,
 * progress, outcome. Writes are throttled for fine-grained progress (image pulls).
 */
export function operationProgress(
  store: Pick<ReconcileStore, "updateOperation">,
  op: OperationRecord | null,
  notify: () => void,
  /** Step durations and how operations end (GET /metrics). */
  metrics?: OperationMetrics,
) {
  const kind = op?.kind ?? "none";
  const ended = (outcome: "succeeded" | "failed" | "canceled") => {
    if (op) metrics?.finished(op.kind, outcome);
  };
  const steps: OperationStep[] = op ? op.steps.map((s) => ({ ...s })) : [];
  let lastFlush = 0;
  const step = (name: StepName) => {
    let s = steps.find((x) => x.name === name);
    if (!s) {
      s = { name, status: "pending" };
      steps.push(s);
    }
    return s;
  };
  const write = async (extra: Parameters<ReconcileStore["updateOperation"]>[1] = {}) => {
    if (!op) return;
    lastFlush = Date.now();
    await store.updateOperation(op.id, { steps, progress: overallProgress(steps), ...extra });
    notify();
  };
  // A step starting or ending is written behind the work, not before it: a pass (create, start,
  // deploy) has a dozen of them, each a round trip the pass used to wait for (~100 ms of a
  // deploy, bench deploy). Writes never overlap and carry the whole state, so a burst coalesces
  // into one and the last one written is the latest; a failed one is made good by the next.
  let writing: Promise<void> | null = null;
  let again = false;
  const behind = () => {
    if (!op) return;
    if (writing) {
      again = true;
      return;
    }
    writing = (async () => {
      try {
        do {
          again = false;
          await write();
        } while (again);
      } catch {
        // The next write carries this one's content; the operation's end is awaited and reports.
      } finally {
        writing = null;
      }
    })();
  };
  /** Written before returning, after any write behind: an operation's start and its end. */
  const flush = async (extra: Parameters<ReconcileStore["updateOperation"]>[1] = {}) => {
    while (writing) await writing;
    again = false;
    await write(extra);
  };

  return {
    async begin() {
      if (op && op.status === "pending") await flush({ status: "running", startedAt: new Date() });
    },
    /** Runs one step; `fn` may report progress. A step already succeeded (an earlier pass) runs again, idempotently. */
    async run<T>(name: StepName, fn: (progress: (pct: number, message?: string) => void) => Promise<T>): Promise<T> {
      const s = step(name);
      s.status = "running";
      behind();
      const started = performance.now();
      const observe = () => metrics?.step(kind, name, (performance.now() - started) / 1000);
      try {
        const value = await fn((pct, message) => {
          s.progress = Math.max(0, Math.min(100, Math.floor(pct)));
          if (message) s.message = message;
          if (Date.now() - lastFlush > 250) behind();
        });
        observe();
        s.status = "succeeded";
        s.progress = 100;
        behind();
        return value;
      } catch (err) {
        observe();
        s.status = "failed";
        s.message = err instanceof Error ? err.message : String(err);
        behind();
        throw err;
      }
    },
    /** Marks a step done without work (e.g. nothing to seed). */
    async skip(name: StepName, message: string) {
      const s = step(name);
      s.status = "succeeded";
      s.message = message;
      behind();
    },
    async succeed() {
      for (const s of steps) if (s.status === "pending") s.status = "succeeded";
      await flush({ status: "succeeded", progress: 100, finishedAt: new Date(), error: null });
      ended("succeeded");
    },
    async fail(error: string) {
      for (const s of steps) if (s.status === "pending" || s.status === "running") s.status = "canceled";
      await flush({ status: "failed", finishedAt: new Date(), error });
      ended("failed");
    },
    /** Ends the operation as canceled (a deployment cancelled on request). */
    async cancel(reason: string) {
      for (const s of steps) if (s.status === "pending" || s.status === "running") s.status = "canceled";
      await flush({ status: "canceled", finishedAt: new Date(), error: reason });
      ended("canceled");
    },
  };
}

export type OperationProgress = ReturnType<typeof operationProgress>;
