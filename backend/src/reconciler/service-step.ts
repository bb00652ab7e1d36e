// One service of a running project, made to run: replace containers of an older generation,
// create the container if there is none, start it (counting a crash against the restart
// budget), wait for its health check, record its endpoint and publish its route.
//
// Level-triggered: a container removed from outside — between the pass's listing and its
// start, during the health check, or with the network it was created on — is made again on
// the project's volume (the files are kept), instead of failing the project for good.

import type { ContainerSummary } from "../ports/container-runtime.port.js";
import type { ProjectRecord } from "../ports/projects.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import { DomainError } from "../shared/errors.js";
import { DEFAULT_ACCESS, hostnameFor } from "../shared/project-urls.js";
import {
  type ConvergerContext,
  exitReason,
  LABEL,
  ProjectFailure,
  type RunnableKind,
  recordCrash,
} from "./converger-context.js";
import { waitForHealthy } from "./health.js";
import type { OperationProgress } from "./operation-progress.js";

/**
 * The container this step was working with no longer exists, or cannot start as it is (its
 * network was removed): the caller ensures the project's resources again and retries.
 */
export class ContainerGone extends Error {}
/** A container that ran for an earlier pass died while this one checked it: counted, start again. */
export class CrashedWhileChecked extends Error {}

const GONE_STATES = new Set(["removing", "dead"]);
const isGoneError = (err: unknown) => err instanceof DomainError && err.code === "CONTAINER_GONE";

export interface ServiceTarget {
  kind: RunnableKind;
  spec: ServiceSpec;
  network: string;
  volume: string;
}

/** The service's container is gone: the project row forgets it, so the next try creates one. */
export async function forgetContainer(ctx: ConvergerContext, p: ProjectRecord, kind: RunnableKind) {
  await ctx.deps.store.upsertService(p.id, kind, {
    containerId: null,
    observedState: "absent",
    health: "unknown",
    endpoint: null,
  });
  const svc = p.services.find((s) => s.kind === kind);
  if (svc) Object.assign(svc, { containerId: null, observedState: "absent", endpoint: null });
}

export async function ensureService(
  ctx: ConvergerContext,
  p: ProjectRecord,
  { kind, spec, network, volume }: ServiceTarget,
  listed: ContainerSummary[],
  progress: OperationProgress,
) {
  const { runtime, store } = ctx.deps;
  const secrets = (await ctx.deps.serviceSecrets?.(p.id, kind)) ?? { env: {}, healthHeaders: {} };
  const config = secrets.fingerprint ?? "";
  const mine = listed.filter((c) => c.labels[LABEL.kind] === kind);
  const alive = mine.filter((c) => !GONE_STATES.has(c.state));
  const current = alive.filter(
    (c) => c.labels[LABEL.generation] === String(p.generation) && (c.labels[LABEL.config] ?? "") === config,
  );
  const stale = [...mine.filter((c) => !current.includes(c)), ...current.slice(1)];
  if (stale.length) {
    // Restart (older generation), new configuration, a duplicate left by a crash, or one being
    // removed: replace, keep the volumes.
    await progress.run("stop", async () => {
      for (const c of stale) {
        await runtime.stopContainer(c.id, ctx.deps.stopTimeoutS);
        await runtime.removeContainer(c.id);
      }
    });
  }
  const svc = p.services.find((s) => s.kind === kind);
  const name = ctx.names.container(p, kind);
  let id = current[0]?.id;
  if (current[0] && current[0].name !== name) {
    // A claimed warm-pool instance: its containers take the project's names (Docker's DNS on
    // the network follows a rename; the endpoint below is the new name).
    const pooled = current[0];
    await progress.run("create", async () => {
      try {
        await runtime.renameContainer(pooled.id, name);
      } catch (err) {
        if (isGoneError(err)) throw new ContainerGone((err as Error).message);
        throw err;
      }
    });
  }
  if (!id) {
    const labels = { ...ctx.serviceLabels(p, kind), ...(config ? { [LABEL.config]: config } : {}) };
    const stateVolume = spec.stateDir ? ctx.names.stateVolume(p.id, kind) : null;
    const created = await progress.run("create", async () => {
      if (stateVolume) await runtime.ensureVolume(stateVolume, { ...ctx.projectLabels(p), [LABEL.kind]: kind });
      return runtime.createContainer({
        name,
        image: spec.image,
        command: spec.command,
        ...(spec.workdir ? { workdir: spec.workdir } : {}),
        env: { ...spec.env, ...secrets.env, DEVSANCTUM_PROJECT: p.slug, DEVSANCTUM_SERVICE: kind },
        labels,
        network,
        networkAlias: kind,
        volume: { name: volume, mountPath: "/app" },
        ...(stateVolume && spec.stateDir ? { stateVolume: { name: stateVolume, mountPath: spec.stateDir } } : {}),
        // No port is published: the service is reached on its network (gate or compose).
        limits: spec.limits,
        capAdd: spec.capabilities ?? [],
      });
    });
    id = created.id;
    await store.upsertService(p.id, kind, { containerId: id, observedState: "created", endpoint: null });
  }
  const containerId = id;
  let details = await runtime.inspectContainer(containerId);
  if (!details || GONE_STATES.has(details.state)) throw new ContainerGone("its container was removed");
  if (details.state !== "running") {
    // Seen running by the last pass, not running now: a crash (its die event may be on its way).
    if (svc?.containerId === containerId && svc.observedState === "running") {
      Object.assign(svc, await recordCrash(store, p, kind, exitReason(kind, details, spec)));
    }
    if (svc && svc.restartCount > spec.restart.maxRetries) {
      const why = svc.lastError ?? `${kind} stopped`;
      throw new ProjectFailure(`${why}; gave up after ${spec.restart.maxRetries} restarts`);
    }
    await progress.run("start", async () => {
      try {
        await runtime.startContainer(containerId);
      } catch (err) {
        if (!isGoneError(err)) throw err;
        // Removed from outside, or its network was: a new container is the cure.
        await runtime.removeContainer(containerId);
        throw new ContainerGone((err as Error).message);
      }
    });
    details = await runtime.inspectContainer(containerId);
  }
  if (!details) throw new ContainerGone("its container was removed right after it started");
  if (details.state !== "running")
    throw new ProjectFailure(`${exitReason(kind, details, spec)} right after it started`);
  const endpoint = `http://${name}:${spec.port}`;
  const known = svc?.containerId === containerId && svc.endpoint === endpoint && svc.observedState === "running";
  if (!known) {
    await store.upsertService(p.id, kind, { containerId, endpoint, observedState: "running", health: "starting" });
  }
  await ctx.stillWanted(p);
  await progress.run("health", async () => {
    try {
      await waitForHealthy(endpoint, spec.healthCheck, {
        deadlineMs: ctx.deps.healthTimeoutMs,
        signal: ctx.deps.signal,
        headers: secrets.healthHeaders,
        fetch: ctx.deps.connector.fetch,
      });
    } catch (err) {
      // A service that died while we waited: its exit says more than the health check.
      const after = await runtime.inspectContainer(containerId);
      if (!after) throw new ContainerGone("its container was removed during the health check");
      if (after.state !== "running" && known && svc) {
        Object.assign(svc, await recordCrash(store, p, kind, exitReason(kind, after, spec)));
        throw new CrashedWhileChecked(exitReason(kind, after, spec));
      }
      if (after.state !== "running") {
        // Failed as it is: not a crash for a later pass (or the user's start) to count.
        await store.upsertService(p.id, kind, { observedState: "exited", health: "unhealthy", endpoint: null });
        throw new ProjectFailure(exitReason(kind, after, spec));
      }
      throw err;
    }
  });
  if (!known || svc?.health !== "healthy") await store.upsertService(p.id, kind, { health: "healthy" });
  // A warm-pool instance is unrouted until a claim gives it an owner and a slug.
  if (p.poolKey) return progress.skip("route", "a warm-pool instance has no hostname until it is claimed");
  const hostname = hostnameFor(p.slug, kind, ctx.deps.appsDomain);
  await progress.run("route", async () => {
    await store.upsertRoute(p.id, { hostname, kind, target: endpoint, access: DEFAULT_ACCESS[kind] });
    await ctx.deps.verifyRoutes?.([hostname]);
  });
}
