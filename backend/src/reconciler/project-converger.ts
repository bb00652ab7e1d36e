// One reconcile pass for one project: make Docker match the desired state, idempotently.
// Every step can be cut short by a crash; the next pass finds what exists by label and goes on.
// The steps live beside it: project-resources.ts (images, network, volume, seed) and
// service-step.ts (one service: container, start, health, route). A service whose container
// was removed from outside is retried after the resources are ensured again.
import type { ContainerSummary } from "../ports/container-runtime.port.js";
import { DEPLOYMENT_CONTAINER_KINDS } from "../ports/deployments.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec, TemplateRecord } from "../ports/templates.port.js";
import { WORKSPACE_KIND } from "../ports/workspace.port.js";
import {
  type ConvergerContext,
  type ConvergerDeps,
  convergerContext,
  LABEL,
  ProjectFailure,
  RUNNABLE_KINDS,
} from "./converger-context.js";
import type { OperationProgress } from "./operation-progress.js";
import { ensureProjectResources } from "./project-resources.js";
import { ContainerGone, CrashedWhileChecked, ensureService, forgetContainer } from "./service-step.js";

const OUTLIVE_THE_STOP: ReadonlySet<string> = new Set([WORKSPACE_KIND, ...Object.values(DEPLOYMENT_CONTAINER_KINDS)]);

/** Short-lived helper containers (the seed copy) are never left behind by a pass. */
async function removeHelpers(ctx: ConvergerContext, containers: ContainerSummary[]) {
  for (const c of containers) if (c.labels[LABEL.kind] === "seed") await ctx.deps.runtime.removeContainer(c.id);
}

async function running(
  ctx: ConvergerContext,
  p: ProjectRecord,
  template: TemplateRecord,
  progress: OperationProgress,
  hasOp: boolean,
) {
  // A failure waits for the user's start or restart; a periodic re-scan must not loop on it.
  if (p.status === "failed" && !hasOp) return;
  await ctx.deps.prepare?.();
  const kinds = RUNNABLE_KINDS.filter((k) => template.services[k]);
  const specs = kinds.map((k) => [k, template.services[k] as ServiceSpec] as const);
  let containers = await ctx.deps.runtime.listContainers(ctx.projectLabels(p));
  await removeHelpers(ctx, containers);
  containers = containers.filter((c) => c.labels[LABEL.kind] !== "seed");
  const healthy = specs.every(([kind]) => {
    const c = containers.find((x) => x.labels[LABEL.kind] === kind && x.state === "running");
    const svc = p.services.find((s) => s.kind === kind);
    return c && c.labels[LABEL.generation] === String(p.generation) && svc?.containerId === c.id;
  });
  if (!healthy || p.status !== "running") {
    const crash = p.services.find((s) => s.lastError && s.restartCount > 0);
    await ctx.setStatus(p, "starting", crash ? `${crash.lastError}; restarting` : null);
  }
  let { network, volume } = await ensureProjectResources(ctx, p, template, specs, progress);
  for (const [kind, spec] of specs) {
    // A container removed from outside (with its network, maybe) is made again on the volume.
    for (let attempt = 1; ; attempt++) {
      try {
        await ensureService(ctx, p, { kind, spec, network, volume }, containers, progress);
        break;
      } catch (err) {
        if (err instanceof CrashedWhileChecked) {
          // Counted as a crash: the next try restarts it, or gives up after maxRetries.
          containers = await ctx.deps.runtime.listContainers(ctx.projectLabels(p));
          continue;
        }
        if (!(err instanceof ContainerGone)) throw err;
        if (attempt >= 3) throw new ProjectFailure(`${kind}: ${err.message}`);
        await forgetContainer(ctx, p, kind);
        containers = await ctx.deps.runtime.listContainers(ctx.projectLabels(p));
        ({ network, volume } = await ensureProjectResources(ctx, p, template, specs, progress));
      }
    }
  }
  await ctx.stillWanted(p);
  await ctx.setStatus(p, "running");
}

/** Stopped by a person, or asleep (desired running, sleptAt set): the same containers stop. */
async function stopped(ctx: ConvergerContext, p: ProjectRecord, progress: OperationProgress) {
  const asleep = p.desiredState === "running" && p.sleptAt !== null;
  const { runtime, store, stopTimeoutS } = ctx.deps;
  const containers = await runtime.listContainers(ctx.projectLabels(p));
  // The workspace (files and history) outlives a stop: a stopped project's files stay browsable.
  // A deployment's containers are the deployer's: it stops production with the project (after
  // health-checking a deployment made meanwhile) and lets a build finish on its snapshot.
  const up = containers.filter(
    (c) => (c.state === "running" || c.state === "restarting") && !OUTLIVE_THE_STOP.has(c.labels[LABEL.kind] ?? ""),
  );
  const final = asleep ? "sleeping" : "stopped";
  if (up.length || p.status !== final) await ctx.setStatus(p, "stopping", asleep ? "idle: going to sleep" : null);
  await progress.run("stop", async () => {
    for (const c of up) await runtime.stopContainer(c.id, stopTimeoutS);
    await removeHelpers(ctx, containers);
  });
  for (const s of p.services) {
    if (s.observedState !== "exited" || s.endpoint) {
      await store.updateService(p.id, s.kind, { observedState: "exited", health: "unknown", endpoint: null });
    }
  }
  // A wake (or a person's request) while it fell asleep: the next pass starts it again.
  if (asleep) await ctx.stillAsleep(p);
  await ctx.setStatus(p, final);
}

async function deleted(ctx: ConvergerContext, p: ProjectRecord, progress: OperationProgress) {
  const { runtime, store, stopTimeoutS } = ctx.deps;
  await ctx.setStatus(p, "deleting");
  const containers = await runtime.listContainers(ctx.projectLabels(p));
  await progress.run("stop", async () => {
    for (const c of containers) if (c.state === "running") await runtime.stopContainer(c.id, stopTimeoutS);
  });
  await progress.run("remove", async () => {
    for (const c of containers) await runtime.removeContainer(c.id);
    await ctx.detachAndRemoveNetwork(ctx.names.network(p.id));
    if (!p.keepData) {
      await runtime.removeVolume(ctx.names.volume(p.id));
      for (const kind of RUNNABLE_KINDS) await runtime.removeVolume(ctx.names.stateVolume(p.id, kind));
    }
  });
  await progress.run("route", () => store.finishDeletion(p.id));
}

export function projectConverger(deps: ConvergerDeps) {
  const ctx = convergerContext(deps);
  return {
    /** Converges one project; throws ProjectFailure / Superseded / transient errors. */
    async converge(p: ProjectRecord, progress: OperationProgress, hasOp: boolean) {
      if (p.desiredState === "deleted") return deleted(ctx, p, progress);
      if (p.desiredState === "stopped" || p.sleptAt) return stopped(ctx, p, progress);
      const template = await deps.store.template(p.templateId);
      if (!template) throw new ProjectFailure("The project's template no longer exists");
      return running(ctx, p, template, progress, hasOp);
    },
    projectLabels: ctx.projectLabels,
    detachAndRemoveNetwork: ctx.detachAndRemoveNetwork,
  };
}
