// The blue-green switch: the new deployment's container is started (or, for a rollback, the
// kept container of the deployment it returns to is taken over), it must pass its health check,
// and only then does one transaction point the production route at it, the previous live one
// staying warm. The proxy is then told (the builtin edge forgets its cached route at once).
import { appendSystem } from "../modules/deployments/deployment-log.js";
import type { DeploymentRecord } from "../ports/deployments.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import type { OperationProgress } from "../reconciler/operation-progress.js";
import { type DeployerWorkDeps, type DeploymentSteps, Stop } from "./deployment-steps.js";

export function startStep(deps: DeployerWorkDeps, steps: DeploymentSteps) {
  const { deployments, containers: c, signal } = deps;

  /** The container to serve `d`: a rollback's source's, kept; or a new one from the artifact. */
  async function containerFor(p: ProjectRecord, spec: ServiceSpec, d: DeploymentRecord, progress: OperationProgress) {
    if (d.containerId) return { id: d.containerId, takenFrom: null, wasRunning: false };
    const rows = await deployments.list(p.id);
    const source = d.kind === "rollback" ? rows.find((r) => r.number === d.rollbackOf) : undefined;
    // Still running (warm), the switch is all there is to it; stopped but kept, it is started and checked first.
    const kept = source?.containerId ? await deps.runtime.inspectContainer(source.containerId) : null;
    if (source && kept) {
      const wasRunning = kept.state === "running";
      const how = wasRunning ? "is still running (warm)" : "was kept, stopped: starting it";
      await progress.skip("create", `#${source.number}'s container ${how}`);
      return { id: kept.id, takenFrom: source.id, wasRunning };
    }
    const image = d.image;
    if (!image || !(await deps.runtime.inspectImage(image))) {
      return steps.finish(d, progress, "failed", "the artifact image is gone (removed outside DevSanctum)");
    }
    const id = await progress.run("create", () => c.createServe(p, spec, d.number, image));
    await deployments.update(d.id, { containerId: id });
    return { id, takenFrom: null, wasRunning: false };
  }

  return {
    async start(p: ProjectRecord, spec: ServiceSpec, d: DeploymentRecord, progress: OperationProgress) {
      const { id, takenFrom, wasRunning } = await containerFor(p, spec, d, progress);
      // A container taken from another deployment that does not go live goes back as it was.
      const giveBack = async () => {
        if (takenFrom && !wasRunning) await c.stop(id);
        return { ...d, containerId: takenFrom ? null : id };
      };
      let endpoint: string;
      try {
        endpoint = await progress.run("start", () => c.start(spec, id));
        await progress.run("health", () => c.healthy(spec, id, endpoint, signal));
      } catch (err) {
        if (signal.aborted) throw new Stop();
        const lines = await c.lastLines(id);
        const extra = lines.length ? ["--- the production container's last output ---", ...lines] : [];
        return steps.finish(await giveBack(), progress, "failed", (err as Error).message, extra);
      }
      const cancelled = await steps.interruption(d);
      if (cancelled) return steps.finish(await giveBack(), progress, "cancelled", cancelled);

      // The project may have been stopped while this one was checked: healthy, it waits stopped for the start.
      const serving = (await deps.projects.get(p.id))?.desiredState === "running";
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
          warmUntil: new Date(steps.now() + deps.keepWarmMs),
          ...(takenFrom ? { takeContainerFrom: takenFrom } : {}),
          log,
        });
        if (!switched) throw new Error("the deployment was cancelled before the switch");
        // The builtin edge forgets its cached route; Traefik is polled until it serves it.
        await deps.verifyRoutes?.([c.hostname(p)]);
      });
      await progress.succeed();
      deps.log.info({ projectId: p.id, number: d.number }, `deployment #${d.number} is live`);
    },
  };
}
