// What the deployer's workers share: their dependencies, and how a deployment that will not go
// live ends (failed or cancelled, its containers removed, its operation closed, the live one
// untouched), and what interrupts one (a cancel request, the project's deletion).

import { appendLines, appendSystem } from "../modules/deployments/deployment-log.js";
import type { ContainerRuntime } from "../ports/container-runtime.port.js";
import type { DeploymentRecord, DeploymentStore } from "../ports/deployments.port.js";
import type { OperationMetrics } from "../ports/metrics.port.js";
import type { OperationRecord, ReconcileStore } from "../ports/projects.port.js";
import { type OperationProgress, operationProgress } from "../reconciler/operation-progress.js";
import type { ProductionContainers } from "./production-containers.js";

export interface DeployerWorkLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DeployerWorkDeps {
  deployments: DeploymentStore;
  projects: Pick<ReconcileStore, "get" | "template" | "updateService" | "updateOperation">;
  operations: { getOperation(id: string): Promise<OperationRecord | null> };
  containers: ProductionContainers;
  runtime: Pick<
    ContainerRuntime,
    | "listContainers"
    | "listImages"
    | "removeImage"
    | "inspectContainer"
    | "inspectImage"
    | "startContainer"
    | "stopContainer"
    | "waitContainer"
    | "logs"
  >;
  /** The production route counts as switched once the proxy serves it. */
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
  /** A deployment of this project changed (the live feeds re-read). */
  notify: (projectId: string) => void;
  log: DeployerWorkLog;
  /** Operations by kind and outcome, step durations (GET /metrics). */
  operationMetrics?: OperationMetrics;
  keep: number;
  keepWarmMs: number;
  buildTimeoutS: number;
  /** How long a request may take its snapshot before a pass calls it interrupted. */
  snapshotGraceMs?: number;
  /** Aborted when the deployer stops: a build in progress is left running for the next process. */
  signal: AbortSignal;
  now?: () => number;
}

/** The deployment is over (failed, cancelled) or must wait; the worker moves on. */
export class Stop extends Error {}

export function deploymentSteps(deps: DeployerWorkDeps) {
  const now = deps.now ?? Date.now;
  return {
    now,
    async progressOf(d: DeploymentRecord): Promise<OperationProgress> {
      const op = d.operationId ? await deps.operations.getOperation(d.operationId) : null;
      const progress = operationProgress(deps.projects, op, () => deps.notify(d.projectId), deps.operationMetrics);
      await progress.begin();
      return progress;
    },

    /** Ends a deployment that will not go live; the live one is untouched. Always throws Stop. */
    async finish(
      d: DeploymentRecord,
      progress: OperationProgress,
      status: "failed" | "cancelled",
      reason: string,
      extra: string[] = [],
    ): Promise<never> {
      for (const id of [d.buildContainerId, d.containerId]) if (id) await deps.containers.remove(id);
      // A failed build's image serves nothing; a rollback's belongs to the build it returns to.
      if (d.image && d.kind === "build") await deps.runtime.removeImage(d.image);
      const log = appendSystem(appendLines(d.log, extra), `${status}: ${reason}`);
      await deps.deployments.update(d.id, {
        status,
        error: reason,
        log,
        finishedAt: new Date(now()),
        buildContainerId: null,
        containerId: null,
        image: null,
        sizeBytes: null,
      });
      if (status === "failed") await progress.fail(reason);
      else await progress.cancel(reason);
      deps.notify(d.projectId);
      deps.log.info({ projectId: d.projectId, number: d.number }, `deployment #${d.number}: ${status}: ${reason}`);
      throw new Stop();
    },

    /** Why to stop now: a cancel request, or the project being deleted; null to go on. */
    async interruption(d: DeploymentRecord): Promise<string | null> {
      const [fresh, p] = await Promise.all([
        deps.deployments.get(d.projectId, d.number),
        deps.projects.get(d.projectId),
      ]);
      if (!p || p.desiredState === "deleted") return "the project is being deleted";
      if (!fresh || fresh.cancelRequestedAt) return "cancelled on request";
      return null;
    },
  };
}

export type DeploymentSteps = ReturnType<typeof deploymentSteps>;
