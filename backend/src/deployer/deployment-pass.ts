// One pass over one project's deployments, under the project's deploy lock: move the active
// deployment on (its build runs in the build worker; the health-gated switch runs here), keep
// the live one serving while the project runs and stopped while it is stopped, stop warm ones
// whose grace ran out, apply DEPLOY_KEEP, remove what no row refers to. Level-triggered like the
// reconciler: every step starts from what the database and Docker say now, so a pass cut short
// by a crash is finished by the next one.
import { type DeploymentRecord, isActiveDeployment } from "../ports/deployments.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import { type DeployerWorkDeps, type DeploymentSteps, Stop } from "./deployment-steps.js";
import { productionKeeper } from "./production-keeper.js";
import { startStep } from "./start-step.js";

export function deploymentPass(deps: DeployerWorkDeps, steps: DeploymentSteps, wakeBuild: (projectId: string) => void) {
  const { deployments } = deps;
  const graceMs = deps.snapshotGraceMs ?? 120_000;
  const keeper = productionKeeper(deps, steps);
  const switcher = startStep(deps, steps);

  /** Moves the active deployment on as far as this pass takes it; returns when to look again. */
  async function advance(p: ProjectRecord, spec: ServiceSpec | undefined, d: DeploymentRecord) {
    // A build in progress is the build worker's, cancel included.
    if (d.status === "building") {
      wakeBuild(p.id);
      return null;
    }
    const progress = await steps.progressOf(d);
    if (!spec) return steps.finish(d, progress, "failed", "the project's template has no production service");
    if (d.cancelRequestedAt) return steps.finish(d, progress, "cancelled", "cancelled on request");
    if (d.status === "queued") {
      if (d.kind === "build" && !d.snapshotAt) {
        // The request that opened it is still copying the files, or died doing so.
        if (steps.now() - d.createdAt.getTime() < graceMs) return d.createdAt.getTime() + graceMs;
        return steps.finish(d, progress, "failed", "the control plane stopped while taking the snapshot; deploy again");
      }
      const next = d.kind === "build" ? "building" : "starting";
      if (!(await deployments.update(d.id, { status: next }, ["queued"]))) throw new Stop();
      deps.notify(p.id);
      if (next === "building") {
        wakeBuild(p.id);
        return null;
      }
      d.status = next;
    }
    if (d.status === "starting") await switcher.start(p, spec, d, progress);
    return null;
  }

  return {
    /** One pass; returns when the project next needs a look by the clock (a deadline), if ever. */
    async run(projectId: string): Promise<{ wakeAt: number | null }> {
      let p = await deps.projects.get(projectId);
      if (!p || p.desiredState === "deleted") {
        await keeper.removeAll(projectId);
        return { wakeAt: null };
      }
      const all = await deployments.list(p.id);
      // Never deployed: nothing to keep, and nothing of it in Docker (every container has a row first).
      if (all.length === 0) return { wakeAt: null };
      const spec = (await deps.projects.template(p.templateId))?.services.production;
      let wakeAt: number | null = null;
      const active = all.find((r) => isActiveDeployment(r.status));
      if (active) {
        try {
          wakeAt = await advance(p, spec, active);
        } catch (err) {
          if (!(err instanceof Stop)) throw err;
        } finally {
          deps.notify(p.id);
        }
        if (deps.signal.aborted) return { wakeAt: null };
        p = (await deps.projects.get(projectId)) ?? p;
      }
      const rows = await deployments.list(p.id);
      await keeper.keepLive(p, spec, rows);
      const fresh = await deployments.list(p.id);
      // A rollback or deployment asked for meanwhile goes first (its wake runs this pass again);
      // stopping expired warm containers and removing old deployments can wait for it.
      if (fresh.some((r) => r.status === "queued" || r.status === "starting")) return { wakeAt };
      const warmAt = await keeper.keepWarm(fresh);
      if (!fresh.some((r) => isActiveDeployment(r.status))) {
        await keeper.prune(p.id);
        await keeper.sweep(p.id);
      }
      deps.notify(p.id);
      const next = [wakeAt, warmAt].filter((x): x is number => x !== null);
      return { wakeAt: next.length ? Math.min(...next) : null };
    },
  };
}

export type DeploymentPass = ReturnType<typeof deploymentPass>;
