// What holds between deployments: while the project runs, its live deployment serves (started,
// or re-created from its artifact); a stopped project's deployment containers are stopped but
// kept; a superseded one stays warm until its grace is over; DEPLOY_KEEP is applied; and what no
// deployment refers to (a crash between two writes) is removed. A deleted project loses all.
import type { DeploymentRecord } from "../ports/deployments.port.js";
import { isActiveDeployment } from "../ports/deployments.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import { LABEL } from "../reconciler/converger-context.js";
import type { DeployerWorkDeps, DeploymentSteps } from "./deployment-steps.js";
import { DEPLOYER_KINDS } from "./production-containers.js";
import { deploymentsToPrune, imagesFreedBy } from "./retention.js";

export function productionKeeper(deps: DeployerWorkDeps, steps: DeploymentSteps) {
  const { deployments, containers: c, signal } = deps;
  const ours = new Set<string>([DEPLOYER_KINDS.build, DEPLOYER_KINDS.serve, DEPLOYER_KINDS.snapshot]);

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

  async function removeRows(projectId: string, removed: DeploymentRecord[], all: DeploymentRecord[]) {
    if (!removed.length) return;
    for (const r of removed) for (const id of [r.containerId, r.buildContainerId]) if (id) await c.remove(id);
    for (const image of imagesFreedBy(removed, all)) await deps.runtime.removeImage(image);
    await deployments.remove(removed.map((r) => r.id));
    deps.log.info({ projectId, numbers: removed.map((r) => r.number) }, "deployments removed");
  }

  return {
    /** While the project runs, its live deployment serves; while it is stopped, nothing does. */
    async keepLive(p: ProjectRecord, spec: ServiceSpec | undefined, rows: DeploymentRecord[]) {
      // Asleep with productionIdle: production sleeps too (a request on its host wakes it).
      if (p.desiredState !== "running" || (p.sleptAt && p.productionIdle)) return keepStopped(rows);
      const live = rows.find((r) => r.status === "live");
      if (!live || !spec) return;
      const details = live.containerId ? await deps.runtime.inspectContainer(live.containerId) : null;
      const endpoint = c.endpointOf(spec, details);
      const service = p.services.find((s) => s.kind === "production");
      const serving = service?.observedState === "running" && service.endpoint === endpoint;
      if (endpoint && endpoint === live.endpoint && serving) return;
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
    },

    /** Stops superseded containers whose grace is over (kept for a cold rollback); returns the next deadline. */
    async keepWarm(rows: DeploymentRecord[]): Promise<number | null> {
      let next: number | null = null;
      for (const r of rows) {
        if (r.status !== "superseded" || !r.containerId) continue;
        const until = r.warmUntil?.getTime() ?? 0;
        if (until > steps.now()) {
          next = Math.min(next ?? until, until);
          continue;
        }
        const d = await deps.runtime.inspectContainer(r.containerId);
        if (d?.state === "running") await c.stop(r.containerId);
        if (r.warmUntil) await deployments.update(r.id, { warmUntil: null });
      }
      return next;
    },

    /** DEPLOY_KEEP: older deployments go with their containers and the images no one else serves. */
    async prune(projectId: string) {
      const rows = await deployments.list(projectId);
      await removeRows(projectId, deploymentsToPrune(rows, deps.keep), rows);
    },

    /** Containers and images of this project that no deployment refers to (a crash between two writes). */
    async sweep(projectId: string) {
      const labels = c.projectLabels({ id: projectId });
      // Docker first, the database second: what a request creates after the listing is not looked at.
      const [listed, images] = await Promise.all([
        deps.runtime.listContainers(labels),
        deps.runtime.listImages({ ...labels, [LABEL.kind]: DEPLOYER_KINDS.artifact }),
      ]);
      const rows = await deployments.list(projectId);
      if (rows.some((r) => r.status === "queued" && !r.snapshotAt)) return; // a request is taking its snapshot
      const referenced = new Set(rows.flatMap((r) => [r.buildContainerId, r.containerId]).filter(Boolean));
      for (const x of listed) {
        if (ours.has(x.labels[LABEL.kind] ?? "") && !referenced.has(x.id)) {
          deps.log.info({ container: x.name }, "removing a deployment container no deployment refers to");
          await c.remove(x.id);
        }
      }
      const used = new Set(rows.map((r) => r.image).filter(Boolean));
      for (const i of images) if (!used.has(i.id)) await deps.runtime.removeImage(i.id);
    },

    /** A project being deleted loses every deployment: containers, images, then the rows (so a crash redoes it). */
    async removeAll(projectId: string) {
      const rows = await deployments.list(projectId);
      for (const r of rows.filter((x) => isActiveDeployment(x.status) && x.operationId)) {
        await deps.projects.updateOperation(r.operationId as string, {
          status: "canceled",
          error: "the project was deleted",
          finishedAt: new Date(steps.now()),
        });
      }
      // Everything it made carries the project's label, recorded in a row or not.
      const labels = c.projectLabels({ id: projectId });
      for (const x of await deps.runtime.listContainers(labels)) {
        if (ours.has(x.labels[LABEL.kind] ?? "")) await c.remove(x.id);
      }
      for (const i of await deps.runtime.listImages({ ...labels, [LABEL.kind]: DEPLOYER_KINDS.artifact })) {
        await deps.runtime.removeImage(i.id);
      }
      await deployments.remove(rows.map((r) => r.id));
    },
  };
}
