// Production deployments, the use cases: deploy (with the snapshot taken before the answer),
// roll back, cancel, history and the live feed of one deployment. The work itself runs in the
// deployer (backend/src/deployer/), which this wakes; the database is what both read.

import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import {
  type DeploymentRecord,
  type DeploymentStore,
  isActiveDeployment,
  type NewDeployment,
} from "../../ports/deployments.port.js";
import type { OperationMetrics } from "../../ports/metrics.port.js";
import type { ProjectRecord, ProjectSignals, ProjectStore, ReconcileStore } from "../../ports/projects.port.js";
import type { ServiceSpec, TemplateStore } from "../../ports/templates.port.js";
import { operationProgress } from "../../reconciler/operation-progress.js";
import { conflict, DomainError, notFound } from "../../shared/errors.js";
import { plannedSteps } from "../../shared/operation-steps.js";
import { reachableProject } from "../../shared/project-access.js";
import { type PublicHosts, publicUrlFor } from "../../shared/project-urls.js";
import { appendSystem, emptyLog, type LogItem, linesFrom, logText } from "./deployment-log.js";

export interface DeploymentsServiceDeps {
  deployments: DeploymentStore;
  projects: Pick<ProjectStore, "get">;
  templates: Pick<TemplateStore, "get">;
  /** The snapshot: a build container holding the project's files as they are now (the deployer's). */
  snapshot: (p: ProjectRecord, spec: ServiceSpec, number: number) => Promise<{ containerId: string; bytes: number }>;
  /** Removes a snapshot nobody will build (its deployment was cancelled meanwhile). */
  discard: (containerId: string) => Promise<void>;
  /**
   * Starts a snapshot's build container. The deployer starts it anyway when it picks the build
   * up (the build step follows a container already running from its first line); starting it
   * here saves that scheduling and a Docker start (~330 ms, bench deploy) on the way to live.
   */
  startBuild?: (containerId: string) => Promise<void>;
  operations: Pick<ReconcileStore, "updateOperation"> & Pick<ProjectStore, "getOperation">;
  audit: AuditLog;
  /** Wakes the deployer for this project. */
  wake: (projectId: string) => void;
  /** Notified by the deployer whenever a deployment of the project changed. */
  signals: ProjectSignals;
  hosts: PublicHosts;
  keep: number;
  /** Operations by kind and outcome, step durations (GET /metrics). */
  operationMetrics?: OperationMetrics;
  /** How often a feed re-reads the database (changes made by another replica). */
  pollMs?: number;
  now?: () => number;
}

const deploymentNotFound = (n: number) => notFound("DEPLOYMENT_NOT_FOUND", `The project has no deployment #${n}`);
const ms = (a: Date | null, b: Date | null) => (a && b ? b.getTime() - a.getTime() : null);
const iso = (d: Date | null) => d?.toISOString() ?? null;

export function toDeploymentDto(d: DeploymentRecord, slug: string, hosts: PublicHosts, now = Date.now()) {
  return {
    number: d.number,
    kind: d.kind,
    rollbackOf: d.rollbackOf,
    status: d.status,
    error: d.error,
    requestedBy: d.requestedBy,
    operationId: d.operationId,
    url: d.status === "live" ? publicUrlFor(slug, "production", hosts) : null,
    sizeBytes: d.sizeBytes,
    snapshotBytes: d.snapshotBytes,
    buildDurationMs: ms(d.buildStartedAt, d.buildFinishedAt),
    warm: d.status === "superseded" && d.containerId !== null && (d.warmUntil?.getTime() ?? 0) > now,
    warmUntil: iso(d.warmUntil),
    cancelRequested: d.cancelRequestedAt !== null,
    createdAt: d.createdAt.toISOString(),
    buildStartedAt: iso(d.buildStartedAt),
    buildFinishedAt: iso(d.buildFinishedAt),
    liveAt: iso(d.liveAt),
    supersededAt: iso(d.supersededAt),
    finishedAt: iso(d.finishedAt),
  };
}

export type DeploymentDto = ReturnType<typeof toDeploymentDto>;
export type FeedEvent =
  | { event: "deployment"; data: DeploymentDto }
  | { event: "log"; data: LogItem }
  | { event: "end"; data: { status: string } };

/** Disk used by a project's deployments: each artifact image counted once (rollbacks share theirs). */
export function diskBytes(rows: readonly DeploymentRecord[]): number {
  const sizes = new Map<string, number>();
  for (const r of rows) if (r.image && r.sizeBytes !== null) sizes.set(r.image, r.sizeBytes);
  return [...sizes.values()].reduce((a, b) => a + b, 0);
}

export function deploymentsServiceFactory(deps: DeploymentsServiceDeps) {
  const { deployments, hosts } = deps;
  const now = deps.now ?? Date.now;
  const dto = (p: ProjectRecord, d: DeploymentRecord) => toDeploymentDto(d, p.slug, hosts, now());

  async function owned(principal: Principal, projectId: string) {
    return reachableProject(await deps.projects.get(projectId), principal);
  }
  async function one(p: ProjectRecord, number: number) {
    const d = await deployments.get(p.id, number);
    if (!d) throw deploymentNotFound(number);
    return d;
  }
  function writable(p: ProjectRecord) {
    if (p.desiredState === "deleted") throw conflict("PROJECT_DELETING", "The project is being deleted");
  }
  async function productionSpec(p: ProjectRecord) {
    const spec = (await deps.templates.get(p.templateId))?.services.production;
    if (!spec) {
      throw conflict("TEMPLATE_NOT_DEPLOYABLE", `The template "${p.templateName}" has no production service to deploy`);
    }
    return spec;
  }
  async function open(p: ProjectRecord, principal: Principal, input: Omit<NewDeployment, "requestedById">) {
    const opened = await deployments.open(p.id, { ...input, requestedById: principal.userId });
    if ("busy" in opened) {
      const b = opened.busy;
      throw new DomainError(
        "conflict",
        "DEPLOYMENT_IN_PROGRESS",
        `Deployment #${b.number} is ${b.status}: one deployment at a time. Wait for it, or cancel it (POST …/deployments/${b.number}/cancel).`,
        { deployment: dto(p, b) },
      );
    }
    return opened;
  }

  return {
    /** Opens a deployment and takes its snapshot before answering: later edits are not in it. */
    async deploy(principal: Principal, projectId: string) {
      const p = await owned(principal, projectId);
      writable(p);
      const spec = await productionSpec(p);
      const who = principal.userId;
      const { deployment: d, operation } = await open(p, principal, {
        kind: "build",
        rollbackOf: null,
        image: null,
        sizeBytes: null,
        log: emptyLog(),
        operation: { kind: "deploy", userId: who, steps: plannedSteps("deploy") },
      });
      const progress = operationProgress(
        deps.operations,
        operation,
        () => deps.signals.notify(p.id),
        deps.operationMetrics,
      );
      await progress.begin();
      try {
        const snap = await progress.run("snapshot", () => deps.snapshot(p, spec, d.number));
        const log = appendSystem(d.log, `snapshot of the project's files taken (${snap.bytes} bytes)`);
        const kept = await deployments.update(
          d.id,
          { buildContainerId: snap.containerId, snapshotAt: new Date(now()), snapshotBytes: snap.bytes, log },
          ["queued"],
        );
        if (!kept) await deps.discard(snap.containerId);
        // Not awaited, and its failure not ours to report: the build step starts it again and says why.
        else if (spec.build && deps.startBuild) deps.startBuild(snap.containerId).catch(() => {});
      } catch (err) {
        const reason = `the snapshot of the project's files failed: ${(err as Error).message}`;
        await deployments.update(d.id, { status: "failed", error: reason, finishedAt: new Date(now()) }, ["queued"]);
        await progress.fail(reason);
        throw err;
      } finally {
        deps.wake(p.id);
      }
      await deps.audit.record({ actorId: who, action: "deployment.create", target: p.id, data: { number: d.number } });
      const fresh = (await deps.operations.getOperation(operation.id)) ?? operation;
      return { deployment: dto(p, await one(p, d.number)), operation: fresh };
    },

    /** Returns to deployment `number` (a new deployment that serves its artifact again). */
    async rollback(principal: Principal, projectId: string, number: number) {
      const p = await owned(principal, projectId);
      writable(p);
      await productionSpec(p);
      const target = await one(p, number);
      if (target.status === "live") {
        throw conflict("DEPLOYMENT_ALREADY_LIVE", `Deployment #${number} is the live one already`);
      }
      if (target.status !== "superseded" || !target.image) {
        throw conflict(
          "DEPLOYMENT_NOT_ROLLBACKABLE",
          `Deployment #${number} is ${target.status}: only a deployment that was live can be rolled back to`,
        );
      }
      const opened = await open(p, principal, {
        kind: "rollback",
        rollbackOf: number,
        image: target.image,
        sizeBytes: target.sizeBytes,
        log: appendSystem(emptyLog(), `rollback to #${number}`),
        operation: { kind: "rollback", userId: principal.userId, steps: plannedSteps("rollback") },
      });
      deps.wake(p.id);
      await deps.audit.record({
        actorId: principal.userId,
        action: "deployment.rollback",
        target: p.id,
        data: { number: opened.deployment.number, rollbackOf: number },
      });
      return { deployment: dto(p, opened.deployment), operation: opened.operation };
    },

    /** Stops a deployment in progress; the live one is untouched. */
    async cancel(principal: Principal, projectId: string, number: number) {
      const p = await owned(principal, projectId);
      const d = await one(p, number);
      const marked = isActiveDeployment(d.status) ? await deployments.requestCancel(d.id) : null;
      if (!marked) {
        throw conflict("DEPLOYMENT_FINISHED", `Deployment #${number} is ${d.status}: there is nothing to cancel`);
      }
      deps.wake(p.id);
      await deps.audit.record({
        actorId: principal.userId,
        action: "deployment.cancel",
        target: p.id,
        data: { number },
      });
      return dto(p, marked);
    },

    async list(principal: Principal, projectId: string) {
      const p = await owned(principal, projectId);
      const rows = await deployments.list(p.id);
      return { deployments: rows.map((d) => dto(p, d)), diskBytes: diskBytes(rows), keep: deps.keep };
    },

    async get(principal: Principal, projectId: string, number: number) {
      const p = await owned(principal, projectId);
      const d = await one(p, number);
      return { ...dto(p, d), log: logText(d.log) };
    },

    /**
     * The live feed of one deployment (checked now, before any byte is sent): its state on
     * every change and its log lines as they come, until it is finished.
     */
    async feed(principal: Principal, projectId: string, number: number) {
      const p = await owned(principal, projectId);
      await one(p, number);
      const pollMs = deps.pollMs ?? 1000;
      return async function* events(signal: AbortSignal): AsyncGenerator<FeedEvent> {
        let cursor = 0;
        let last = "";
        while (!signal.aborted) {
          const d = await deployments.get(p.id, number);
          if (!d) {
            yield { event: "end", data: { status: "removed" } };
            return;
          }
          const state = dto(p, d);
          const json = JSON.stringify(state);
          if (json !== last) {
            last = json;
            yield { event: "deployment", data: state };
          }
          const { items, next } = linesFrom(d.log, cursor);
          cursor = next;
          for (const item of items) yield { event: "log", data: item };
          if (!isActiveDeployment(d.status)) {
            yield { event: "end", data: { status: d.status } };
            return;
          }
          await new Promise<void>((resolve) => {
            const done = () => {
              clearTimeout(timer);
              unsubscribe();
              signal.removeEventListener("abort", done);
              resolve();
            };
            const timer = setTimeout(done, pollMs);
            const unsubscribe = deps.signals.subscribe(p.id, done);
            signal.addEventListener("abort", done, { once: true });
          });
        }
      };
    },
  };
}

export type DeploymentsService = ReturnType<typeof deploymentsServiceFactory>;
