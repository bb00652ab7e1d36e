// One pass over one project's deployments, under the project's deploy lock: move the active
// deployment on (build → artifact → start → health → switch), keep the live one serving while
// the project runs, stop warm ones whose grace ran out, apply DEPLOY_KEEP, and remove what no
// row refers to. Level-triggered like the reconciler: every step starts from what the database
// and Docker say now, so a pass cut short by a crash is finished by the next one.

import { appendLines, appendSystem, preludeOf } from "../modules/deployments/deployment-log.js";
import type { ContainerRuntime } from "../ports/container-runtime.port.js";
import { type DeploymentRecord, type DeploymentStore, isActiveDeployment } from "../ports/deployments.port.js";
import type { OperationRecord, ProjectRecord, ReconcileStore } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import { type OperationProgress, operationProgress } from "../reconciler/operation-progress.js";
import { LABEL } from "../reconciler/converger-context.js";
import { runBuild } from "./build-runner.js";
import { DEPLOYER_KINDS, type ProductionContainers } from "./production-containers.js";
import { deploymentsToPrune, imagesFreedBy } from "./retention.js";

export interface DeploymentPassLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface DeploymentPassDeps {
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
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
  notify: (projectId: string) => void;
  log: DeploymentPassLog;
  keep: number;
  keepWarmMs: number;
  buildTimeoutS: number;
  /** How long a request may take its snapshot before a pass calls it interrupted. */
  snapshotGraceMs?: number;
  /** Aborted when the deployer stops: a build in progress is left running for the next process. */
  signal: AbortSignal;
  now?: () => number;
}

/** The deployment is over (failed, cancelled) or must wait; the pass moves on. */
class Stop extends Error {}
/** The control plane stops during a build; the build itself goes on. */
class LeftRunning extends Error {}

export function deploymentPass(deps: DeploymentPassDeps) {
  const { deployments, containers: c, signal } = deps;
  const now = deps.now ?? Date.now;
  const graceMs = deps.snapshotGraceMs ?? 120_000;
  const mb = (n: number) => `${Math.round(n / 1e5) / 10} MB`;

  const progressOf = async (d: DeploymentRecord) => {
    const op = d.operationId ? await deps.operations.getOperation(d.operationId) : null;
    const progress = operationProgress(deps.projects, op, () => deps.notify(d.projectId));
    await progress.begin();
    return progress;
  };

  /** Ends a deployment that will not go live; the live one is untouched. */
  async function finish(
    d: DeploymentRecord,
    progress: OperationProgress,
    status: "failed" | "cancelled",
    reason: string,
    extra: string[] = [],
  ): Promise<never> {
    for (const id of [d.buildContainerId, d.containerId]) if (id) await c.remove(id);
    // A failed build's image serves nothing; a rollback's belongs to the build it returns to.
    if (d.image && d.kind === "build") await deps.runtime.removeImage(d.image);
    const log = appendSystem(appendLines(d.log, extra), `${status === "failed" ? "failed" : "cancelled"}: ${reason}`);
    await deployments.update(d.id, {
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
    deps.log.info({ projectId: d.projectId, number: d.number }, `deployment #${d.number}: ${status}: ${reason}`);
    throw new Stop();
  }

  /** Why to stop now: a cancel request, or the project being deleted. */
  async function interruption(d: DeploymentRecord): Promise<string | null> {
    const [fresh, p] = await Promise.all([deployments.get(d.projectId, d.number), deps.projects.get(d.projectId)]);
    if (!p || p.desiredState === "deleted") return "the project is being deleted";
    if (!fresh || fresh.cancelRequestedAt) return "cancelled on request";
    return null;
  }

  async function build(p: ProjectRecord, spec: ServiceSpec, d: DeploymentRecord, progress: OperationProgress) {
    if (!d.buildContainerId) return finish(d, progress, "failed", "the snapshot of the project's files is missing");
    const buildContainerId = d.buildContainerId;
    if (spec.build) {
      const timeoutS = spec.build.timeoutS ?? deps.buildTimeoutS;
      const resumed = d.buildStartedAt !== null;
      let log = resumed ? preludeOf(d.log) : d.log;
      if (!resumed) {
        const { memoryMb, cpus, pids } = spec.limits;
        log = appendSystem(
          log,
          `build: ${spec.build.command.join(" ")} (timeout ${timeoutS} s; ${memoryMb} MB, ${cpus} CPU, ${pids} processes)`,
        );
      }
      const startedAt = d.buildStartedAt ?? new Date(now());
      await deployments.update(d.id, { buildStartedAt: startedAt, log });
      const result = await progress
        .run("build", async () => {
          const r = await runBuild({
            runtime: deps.runtime,
            containerId: buildContainerId,
            deadline: startedAt.getTime() + timeoutS * 1000,
            log,
            saveLog: async (l) => {
              await deployments.update(d.id, { log: l });
              deps.notify(d.projectId);
            },
            interrupted: () => interruption(d),
            signal,
          });
          const o = r.outcome;
          if (o.kind === "shutdown") {
            throw new LeftRunning("the control plane stopped during the build; it picks the build up when it starts");
          }
          if (o.kind === "exited" && o.exitCode !== 0) {
            const why = o.oomKilled
              ? `the build ran out of memory (limit ${spec.limits.memoryMb} MB)`
              : `the build exited with code ${o.exitCode}`;
            throw Object.assign(new Error(why), { log: r.log });
          }
          if (o.kind === "timeout") {
            throw Object.assign(new Error(`the build did not finish within ${timeoutS} s`), { log: r.log });
          }
          if (o.kind === "vanished") {
            throw Object.assign(new Error("the build container was removed before it finished"), { log: r.log });
          }
          return r;
        })
        .catch(async (err: Error & { log?: DeploymentRecord["log"] }) => {
          if (err instanceof LeftRunning) throw new Stop();
          return finish({ ...d, buildContainerId, log: err.log ?? d.log }, progress, "failed", err.message);
        });
      if (result.outcome.kind === "interrupted") {
        return finish({ ...d, log: result.log }, progress, "cancelled", result.outcome.reason);
      }
      d.log = result.log;
    } else {
      await progress.skip(
        "build",
        "the template's production service has no build step: its files are served as they are",
      );
    }
    const artifact = await progress.run("artifact", () => c.commit(p, spec, d.number, buildContainerId));
    d.log = appendSystem(
      d.log,
      `artifact: image ${artifact.id.slice(7, 19)} (${mb(artifact.layerBytes)} over ${spec.image})`,
    );
    const moved = await deployments.update(
      d.id,
      {
        status: "starting",
        image: artifact.id,
        sizeBytes: artifact.layerBytes,
        buildFinishedAt: new Date(now()),
        buildContainerId: null,
        log: d.log,
      },
      ["building"],
    );
    await c.remove(buildContainerId);
    if (!moved) throw new Stop();
    Object.assign(d, { status: "starting", image: artifact.id, buildContainerId: null });
  }

  async function start(p: ProjectRecord, spec: ServiceSpec, d: DeploymentRecord, progress: OperationProgress) {
    if (!d.image) return finish(d, progress, "failed", "the deployment has no artifact image");
    const rows = await deployments.list(p.id);
    const source = d.kind === "rollback" ? rows.find((r) => r.number === d.rollbackOf) : undefined;
    let containerId = d.containerId;
    let takeContainerFrom: string | undefined;
    // A rollback takes the container of the deployment it returns to: still running (warm),
    // the switch is all there is to it; stopped but kept, it is started and checked first.
    let wasRunning = false;
    if (!containerId && source?.containerId) {
      const kept = await deps.runtime.inspectContainer(source.containerId);
      if (kept) {
        containerId = source.containerId;
        takeContainerFrom = source.id;
        wasRunning = kept.state === "running";
        const how = wasRunning ? "is still running (warm)" : "was kept, stopped: starting it";
        await progress.skip("create", `#${source.number}'s container ${how}`);
      }
    }
    if (!containerId) {
      if (!(await deps.runtime.inspectImage(d.image))) {
        return finish(d, progress, "failed", "the artifact image is gone (removed outside DevSanctum)");
      }
      const image = d.image;
      containerId = await progress.run("create", () => c.createServe(p, spec, d.number, image));
      await deployments.update(d.id, { containerId });
    }
    const id = containerId;
    // A container taken from another deployment that does not go live goes back as it was.
    const giveBack = async () => {
      if (takeContainerFrom && !wasRunning) await c.stop(id);
      return takeContainerFrom ? { ...d, containerId: null } : { ...d, containerId: id };
    };
    let endpoint: string;
    try {
      endpoint = await progress.run("start", () => c.start(spec, id));
      await progress.run("health", () => c.healthy(spec, id, endpoint, signal));
    } catch (err) {
      if (signal.aborted) throw new Stop();
      const lines = await c.lastLines(id);
      const extra = lines.length ? ["--- the production container's last output ---", ...lines] : [];
      return finish(await giveBack(), progress, "failed", (err as Error).message, extra);
    }
    const cancelled = await interruption(d);
    if (cancelled) return finish(await giveBack(), progress, "cancelled", cancelled);

    // The project may have been stopped while this one was being checked.
    const serving = (await deps.projects.get(p.id))?.desiredState === "running";
    // Healthy, and kept stopped until the project starts.
    if (!serving) await c.stop(id);
    const log = appendSystem(d.log, `live at ${c.hostname(p)} (${serving ? "serving" : "the project is stopped"})`);
    await progress.run("route", async () => {
      const switched = await deployments.goLive({
        deploymentId: d.id,
        projectId: p.id,
        containerId: id,
        endpoint,
        route: c.route(p, endpoint),
        serving,
        warmUntil: new Date(now() + deps.keepWarmMs),
        ...(takeContainerFrom ? { takeContainerFrom } : {}),
        log,
      });
      if (!switched) throw new Error("the deployment was cancelled before the switch");
      // The builtin edge forgets its cached route; Traefik is polled until it serves it.
      await deps.verifyRoutes?.([c.hostname(p)]);
    });
    await progress.succeed();
    deps.log.info({ projectId: p.id, number: d.number }, `deployment #${d.number} is live`);
  }

  /** Moves the active deployment on as far as it goes now. */
  async function advance(p: ProjectRecord, spec: ServiceSpec | undefined, d: DeploymentRecord) {
    const progress = await progressOf(d);
    if (!spec) return finish(d, progress, "failed", "the project's template has no production service");
    if (d.cancelRequestedAt) return finish(d, progress, "cancelled", "cancelled on request");
    if (d.status === "queued") {
      if (d.kind === "build" && !d.snapshotAt) {
        // The request that opened it is still copying the files, or died doing so.
        if (now() - d.createdAt.getTime() < graceMs) return d.createdAt.getTime() + graceMs;
        return finish(d, progress, "failed", "the control plane stopped while taking the snapshot; deploy again");
      }
      const next = d.kind === "build" ? "building" : "starting";
      if (!(await deployments.update(d.id, { status: next }, ["queued"]))) throw new Stop();
      d.status = next;
      deps.notify(p.id);
    }
    if (d.status === "building") await build(p, spec, d, progress);
    if (d.status === "starting") await start(p, spec, d, progress);
    return null;
  }

  /** A stopped project serves nothing: its deployment containers stop (kept, for a start or a rollback). */
  async function keepStopped(rows: DeploymentRecord[]) {
    for (const r of rows) {
      if (!r.containerId || (r.status !== "live" && r.status !== "superseded")) continue;
      const d = await deps.runtime.inspectContainer(r.containerId);
      if (d?.state === "running" || d?.state === "restarting") await c.stop(r.containerId);
      // Warm no more: a rollback to it now starts it first.
      if (r.warmUntil) await deployments.update(r.id, { warmUntil: null });
    }
  }

  /** While the project runs, its live deployment serves: started, or re-created from its image. */
  async function keepLive(p: ProjectRecord, spec: ServiceSpec | undefined, rows: DeploymentRecord[]) {
    if (p.desiredState !== "running") return keepStopped(rows);
    const live = rows.find((r) => r.status === "live");
    if (!live || !spec) return;
    const details = live.containerId ? await deps.runtime.inspectContainer(live.containerId) : null;
    const endpoint = c.endpointOf(spec, details);
    const service = p.services.find((s) => s.kind === "production");
    if (
      endpoint &&
      endpoint === live.endpoint &&
      service?.observedState === "running" &&
      service.endpoint === endpoint
    ) {
      return;
    }
    try {
      let id = details ? live.containerId : null;
      if (!id) {
        if (!live.image || !(await deps.runtime.inspectImage(live.image))) {
          throw new Error(`the artifact of deployment #${live.number} is gone; deploy again`);
        }
        id = await c.createServe(p, spec, live.number, live.image);
      }
      const containerId = id;
      const at = await c.start(spec, containerId);
      await c.healthy(spec, containerId, at, signal);
      await deployments.moveLive({ deploymentId: live.id, projectId: p.id, containerId, endpoint: at });
      await deps.verifyRoutes?.([c.hostname(p)]);
      deps.log.info({ projectId: p.id, number: live.number }, `deployment #${live.number} serves again`);
    } catch (err) {
      if (signal.aborted) return;
      const reason = (err as Error).message;
      deps.log.warn({ projectId: p.id, number: live.number }, `production of ${p.slug}: ${reason}`);
      await deps.projects.updateService(p.id, "production", {
        observedState: "exited",
        health: "unhealthy",
        endpoint: null,
        lastError: reason,
      });
    }
  }

  /** Stops superseded containers whose grace is over (kept for a cold rollback); returns the next deadline. */
  async function keepWarm(rows: DeploymentRecord[]): Promise<number | null> {
    let next: number | null = null;
    for (const r of rows) {
      if (r.status !== "superseded" || !r.containerId) continue;
      const until = r.warmUntil?.getTime() ?? 0;
      if (until > now()) {
        next = Math.min(next ?? until, until);
        continue;
      }
      const d = await deps.runtime.inspectContainer(r.containerId);
      if (d?.state === "running") await c.stop(r.containerId);
      if (r.warmUntil) await deployments.update(r.id, { warmUntil: null });
    }
    return next;
  }

  async function removeRows(p: Pick<ProjectRecord, "id">, removed: DeploymentRecord[], all: DeploymentRecord[]) {
    for (const r of removed) for (const id of [r.containerId, r.buildContainerId]) if (id) await c.remove(id);
    for (const image of imagesFreedBy(removed, all)) await deps.runtime.removeImage(image);
    await deployments.remove(removed.map((r) => r.id));
    if (removed.length)
      deps.log.info({ projectId: p.id, numbers: removed.map((r) => r.number) }, "deployments removed");
  }

  /** Containers and images of this project that no deployment row refers to (a crash between two writes). */
  async function sweep(p: Pick<ProjectRecord, "id">) {
    const labels = c.projectLabels(p);
    // Docker first, the database second: what a request creates after the listing is not looked at.
    const [listed, images] = await Promise.all([
      deps.runtime.listContainers(labels),
      deps.runtime.listImages({ ...labels, [LABEL.kind]: DEPLOYER_KINDS.artifact }),
    ]);
    const rows = await deployments.list(p.id);
    if (rows.some((r) => r.status === "queued" && !r.snapshotAt)) return; // a request is taking its snapshot
    const ours = new Set<string>([DEPLOYER_KINDS.build, DEPLOYER_KINDS.serve, DEPLOYER_KINDS.snapshot]);
    const referenced = new Set(rows.flatMap((r) => [r.buildContainerId, r.containerId]).filter(Boolean));
    for (const x of listed) {
      if (ours.has(x.labels[LABEL.kind] ?? "") && !referenced.has(x.id)) {
        deps.log.info({ container: x.name }, "removing a deployment container no deployment refers to");
        await c.remove(x.id);
      }
    }
    const used = new Set(rows.map((r) => r.image).filter(Boolean));
    for (const i of images) if (!used.has(i.id)) await deps.runtime.removeImage(i.id);
  }

  /** A project being deleted loses every deployment: containers, images, rows. */
  async function removeAll(projectId: string) {
    const rows = await deployments.list(projectId);
    for (const r of rows.filter((x) => isActiveDeployment(x.status) && x.operationId)) {
      await deps.projects.updateOperation(r.operationId as string, {
        status: "canceled",
        error: "the project was deleted",
        finishedAt: new Date(now()),
      });
    }
    await removeRows({ id: projectId }, rows, rows);
    const labels = c.projectLabels({ id: projectId });
    for (const x of await deps.runtime.listContainers(labels)) {
      if ((Object.values(DEPLOYER_KINDS) as string[]).includes(x.labels[LABEL.kind] ?? "")) await c.remove(x.id);
    }
    for (const i of await deps.runtime.listImages({ ...labels, [LABEL.kind]: DEPLOYER_KINDS.artifact })) {
      await deps.runtime.removeImage(i.id);
    }
  }

  return {
    /** One pass; returns when the project next needs a look by the clock (a warm deadline), if ever. */
    async run(projectId: string): Promise<{ wakeAt: number | null }> {
      let p = await deps.projects.get(projectId);
      if (!p || p.desiredState === "deleted") {
        await removeAll(projectId);
        return { wakeAt: null };
      }
      const spec = (await deps.projects.template(p.templateId))?.services.production;
      let wakeAt: number | null = null;
      const active = (await deployments.list(p.id)).find((r) => isActiveDeployment(r.status));
      if (active) {
        try {
          wakeAt = await advance(p, spec, active);
        } catch (err) {
          if (!(err instanceof Stop)) throw err;
        } finally {
          deps.notify(p.id);
        }
        if (signal.aborted) return { wakeAt: null };
        p = (await deps.projects.get(projectId)) ?? p;
      }
      const rows = await deployments.list(p.id);
      await keepLive(p, spec, rows);
      const warmAt = await keepWarm(await deployments.list(p.id));
      if (!rows.some((r) => isActiveDeployment(r.status))) {
        const fresh = await deployments.list(p.id);
        await removeRows(p, deploymentsToPrune(fresh, deps.keep), fresh);
        await sweep(p);
      }
      deps.notify(p.id);
      const next = [wakeAt, warmAt].filter((x): x is number => x !== null);
      return { wakeAt: next.length ? Math.min(...next) : null };
    },
  };
}

export type DeploymentPass = ReturnType<typeof deploymentPass>;
