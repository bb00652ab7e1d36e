import type { OperationKind, OperationStep, StepName } from "../ports/projects.port.js";

const PLAN: Record<OperationKind, StepName[]> = {
  create: ["pull", "network", "volume", "seed", "create", "start", "health", "route"],
  start: ["pull", "network", "volume", "create", "start", "health", "route"],
  restart: ["stop", "pull", "network", "volume", "create", "start", "health", "route"],
  stop: ["stop"],
  delete: ["stop", "remove", "route"],
  deploy: ["snapshot", "build", "artifact", "create", "start", "health", "route"],
  rollback: ["create", "start", "health", "route"],
};

/** The steps an operation of this kind reports, all pending. */
export function plannedSteps(kind: OperationKind): OperationStep[] {
  return PLAN[kind].map((name) => ({ name, status: "pending" }));
}

/** Overall progress: finished steps count fully, a running step by its own progress. */
export function overallProgress(steps: OperationStep[]): number {
  if (steps.length === 0) return 100;
  let done = 0;
  for (const s of steps) {
    if (s.status === "succeeded" || s.status === "canceled") done += 1;
    else if (s.status === "running") done += (s.progress ?? 0) / 100;
  }
  return Math.min(100, Math.floor((100 * done) / steps.length));
}
