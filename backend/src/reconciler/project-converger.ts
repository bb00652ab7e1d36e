// One reconcile pass for one project: make Docker match the desired state, idempotently.
// Every step can be cut short by a crash; the next pass finds what exists by label and goes on.
import { DEFAULT_ACCESS, hostnameFor } from "../modules/projects/project-urls.js";
import type { ContainerDetails, ContainerRuntime, ContainerSummary, Labels } from "../ports/container-runtime.port.js";
import type { ProjectRecord, ProjectStatus, ReconcileStore } from "../ports/projects.port.js";
import type { ServiceSpec, TemplateRecord } from "../ports/templates.port.js";
import { waitForHealthy } from "./health.js";
import type { OperationProgress } from "./operation-progress.js";

export const RUNNABLE_KINDS = ["preview", "opencode"] as const;
export type RunnableKind = (typeof RUNNABLE_KINDS)[number];

export const LABEL = {
  install: "devsanctum.install",
  project: "devsanctum.project",
  kind: "devsanctum.kind",
  generation: "devsanctum.generation",
  testRun: "devsanctum.test-run",
} as const;

/** A failure the user must act on (start/restart); the reconciler does not retry it by itself. */
export class ProjectFailure extends Error {}
/** The desired state changed under a pass; a newer pass takes over. */
export class Superseded extends Error {}

/** The part of the container runtime a reconcile pass uses. */
export type ConvergerRuntime = Pick<
  ContainerRuntime,
  | "listContainers"
  | "imagePresent"
  | "pullImage"
  | "ensureNetwork"
  | "removeNetwork"
  | "connectNetwork"
  | "disconnectNetwork"
  | "ensureVolume"
  | "removeVolume"
  | "copyIntoVolume"
  | "createContainer"
  | "startContainer"
  | "stopContainer"
  | "removeContainer"
  | "inspectContainer"
>;

export interface ConvergerDeps {
  store: ReconcileStore;
  runtime: ConvergerRuntime;
  installId: string;
  /** Added to every resource (devsanctum.test-run in tests). */
  extraLabels: Labels;
  appsDomain: string;
  healthTimeoutMs: number;
  stopTimeoutS: number;
  signal: AbortSignal;
  /** What the control plane adds to a service (OpenCode's password) and what its health check then sends. */
  serviceSecrets?: ServiceSecrets;
  /**
   * loopback: the control plane runs on the host and reaches services on their 127.0.0.1 port.
   * network: it runs in a container (compose) and reaches http://<container>:<port> on the
   * project's network, which `attachContainers` (it, Traefik) join.
   */
  endpoints?: "loopback" | "network";
  attachContainers?: string[];
  /** Resolves once the proxy serves these hostnames (Traefik verification); the builtin edge needs none. */
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
}

export type ServiceSecrets = (
  projectId: string,
  kind: RunnableKind,
) => { env: Record<string, string>; healthHeaders: Record<string, string> };

export function exitReason(
  kind: string,
  d: Pick<ContainerDetails, "oomKilled" | "exitCode">,
  spec: ServiceSpec | undefined,
) {
  return d.oomKilled
    ? `${kind} ran out of memory (limit ${spec?.limits.memoryMb ?? "?"} MB)`
    : `${kind} exited with code ${d.exitCode ?? "?"}`;
}

/** Counts a crash of a service the project should run: one more restart, its reason shown. */
export async function recordCrash(
  store: Pick<ReconcileStore, "updateService" | "setStatus">,
  p: ProjectRecord,
  kind: RunnableKind,
  reason: string,
  patch: Parameters<ReconcileStore["updateService"]>[2] = {},
) {
  const svc = p.services.find((s) => s.kind === kind);
  const crashed = { observedState: "exited", health: "unhealthy", endpoint: null, lastError: reason };
  await store.updateService(p.id, kind, { ...crashed, ...patch, incrementRestarts: true });
  await store.setStatus(p.id, "starting", `${reason}; restarting`);
  p.status = "starting";
  p.statusMessage = `${reason}; restarting`;
  return { ...crashed, ...patch, restartCount: (svc?.restartCount ?? 0) + 1 };
}

export function resourceNames(installId: string) {
  return {
    network: (projectId: string) => `ds-${installId}-${projectId}`,
    volume: (projectId: string) => `ds-${installId}-${projectId}-files`,
    container: (p: ProjectRecord, kind: string) => `ds-${installId}-${p.slug}-${kind}`,
  };
}

export function projectConverger(deps: ConvergerDeps) {
  const { store, runtime } = deps;
  const names = resourceNames(deps.installId);
  const projectLabels = (p: ProjectRecord): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: p.id,
  });
  const serviceLabels = (p: ProjectRecord, kind: string): Labels => ({
    ...projectLabels(p),
    [LABEL.kind]: kind,
    [LABEL.generation]: String(p.generation),
  });
  const setStatus = async (p: ProjectRecord, status: ProjectStatus, message: string | null = null) => {
    if (p.status === status && p.statusMessage === message) return;
    await store.setStatus(p.id, status, message);
    p.status = status;
    p.statusMessage = message;
  };
  const stillWanted = async (p: ProjectRecord) => {
    const now = await store.get(p.id);
    if (!now || now.desiredState !== p.desiredState || now.generation !== p.generation) throw new Superseded();
  };
  const removeHelpers = async (containers: ContainerSummary[]) => {
    for (const c of containers) if (c.labels[LABEL.kind] === "seed") await runtime.removeContainer(c.id);
  };

  /** A network with other containers attached (control plane, Traefik) cannot be removed. */
  async function detachAndRemoveNetwork(network: string) {
    for (const c of deps.attachContainers ?? []) await runtime.disconnectNetwork(network, c);
    await runtime.removeNetwork(network);
  }

  async function running(p: ProjectRecord, template: TemplateRecord, progress: OperationProgress, hasOp: boolean) {
    // A failure waits for the user's start or restart; a periodic re-scan must not loop on it.
    if (p.status === "failed" && !hasOp) return;
    const kinds = RUNNABLE_KINDS.filter((k) => template.services[k]);
    const specs = kinds.map((k) => [k, template.services[k] as ServiceSpec] as const);
    let containers = await runtime.listContainers(projectLabels(p));
    await removeHelpers(containers);
    containers = containers.filter((c) => c.labels[LABEL.kind] !== "seed");
    const healthy = specs.every(([kind]) => {
      const c = containers.find((x) => x.labels[LABEL.kind] === kind && x.state === "running");
      const svc = p.services.find((s) => s.kind === kind);
      return c && c.labels[LABEL.generation] === String(p.generation) && svc?.containerId === c.id;
    });
    if (!healthy || p.status !== "running") {
      const crash = p.services.find((s) => s.lastError && s.restartCount > 0);
      await setStatus(p, "starting", crash ? `${crash.lastError}; restarting` : null);
    }

    await progress.run("pull", async (report) => {
      const images = [...new Set(specs.map(([, s]) => s.image))];
      for (const [i, image] of images.entries()) {
        if (await runtime.imagePresent(image)) continue;
        await runtime.pullImage(image, (pp) =>
          report((100 * i + pp.percent) / images.length, `${image}: ${pp.message}`),
        );
      }
    });
    const network = names.network(p.id);
    const volume = names.volume(p.id);
    await progress.run("network", async () => {
      await runtime.ensureNetwork(network, projectLabels(p));
      for (const c of deps.attachContainers ?? []) await runtime.connectNetwork(network, c);
    });
    await progress.run("volume", () => runtime.ensureVolume(volume, projectLabels(p)));
    if (!p.seededAt) {
      const first = specs[0]?.[1];
      if (template.filesSeed && first) {
        const sourceDir = template.filesSeed;
        await progress.run("seed", () =>
          runtime.copyIntoVolume({ volume, image: first.image, sourceDir, labels: serviceLabels(p, "seed") }),
        );
      } else {
        await progress.skip("seed", "the template has no files");
      }
      await store.markSeeded(p.id);
    }

    for (const [kind, spec] of specs) {
      const mine = containers.filter((c) => c.labels[LABEL.kind] === kind);
      const current = mine.filter((c) => c.labels[LABEL.generation] === String(p.generation));
      const stale = [...mine.filter((c) => !current.includes(c)), ...current.slice(1)];
      if (stale.length) {
        // Restart (older generation) or a duplicate left by a crash: replace, keep the volume.
        await progress.run("stop", async () => {
          for (const c of stale) {
            await runtime.stopContainer(c.id, deps.stopTimeoutS);
            await runtime.removeContainer(c.id);
          }
        });
      }
      const svc = p.services.find((s) => s.kind === kind);
      const secrets = deps.serviceSecrets?.(p.id, kind) ?? { env: {}, healthHeaders: {} };
      let id = current[0]?.id;
      if (!id) {
        const created = await progress.run("create", () =>
          runtime.createContainer({
            name: names.container(p, kind),
            image: spec.image,
            command: spec.command,
            ...(spec.workdir ? { workdir: spec.workdir } : {}),
            env: { ...spec.env, ...secrets.env, DEVSANCTUM_PROJECT: p.slug, DEVSANCTUM_SERVICE: kind },
            labels: serviceLabels(p, kind),
            network,
            networkAlias: kind,
            volume: { name: volume, mountPath: "/app" },
            port: spec.port,
            limits: spec.limits,
            capAdd: spec.capabilities ?? [],
          }),
        );
        id = created.id;
        await store.upsertService(p.id, kind, { containerId: id, observedState: "created", endpoint: null });
      }
      let details = await runtime.inspectContainer(id);
      if (details?.state !== "running") {
        // Seen running by the last pass, not running now: a crash (its die event may be on its way).
        if (details && svc?.containerId === id && svc.observedState === "running") {
          Object.assign(svc, await recordCrash(store, p, kind, exitReason(kind, details, spec)));
        }
        if (svc && svc.restartCount > spec.restart.maxRetries) {
          const why = svc.lastError ?? `${kind} stopped`;
          throw new ProjectFailure(`${why}; gave up after ${spec.restart.maxRetries} restarts`);
        }
        await progress.run("start", () => runtime.startContainer(id));
        details = await runtime.inspectContainer(id);
      }
      if (details?.state !== "running" || (deps.endpoints !== "network" && !details.hostPort)) {
        const why = details && details.state !== "running" ? exitReason(kind, details, spec) : `${kind} stopped`;
        throw new ProjectFailure(`${why} right after it started`);
      }
      const endpoint =
        deps.endpoints === "network"
          ? `http://${names.container(p, kind)}:${spec.port}`
          : `http://127.0.0.1:${details.hostPort}`;
      const known = svc?.containerId === id && svc.endpoint === endpoint && svc.observedState === "running";
      if (!known) {
        await store.upsertService(p.id, kind, {
          containerId: id,
          endpoint,
          observedState: "running",
          health: "starting",
        });
      }
      await stillWanted(p);
      await progress.run("health", async () => {
        try {
          await waitForHealthy(endpoint, spec.healthCheck, {
            deadlineMs: deps.healthTimeoutMs,
            signal: deps.signal,
            headers: secrets.healthHeaders,
          });
        } catch (err) {
          // A service that died while we waited: its exit says more than the health check.
          const after = await runtime.inspectContainer(id);
          if (after && after.state !== "running") {
            // Failed as it is: not a crash for a later pass (or the user's start) to count.
            await store.upsertService(p.id, kind, { observedState: "exited", health: "unhealthy", endpoint: null });
            throw new ProjectFailure(exitReason(kind, after, spec));
          }
          throw err;
        }
      });
      if (!known || svc?.health !== "healthy") await store.upsertService(p.id, kind, { health: "healthy" });
      const hostname = hostnameFor(p.slug, kind, deps.appsDomain);
      await progress.run("route", async () => {
        await store.upsertRoute(p.id, { hostname, kind, target: endpoint, access: DEFAULT_ACCESS[kind] });
        await deps.verifyRoutes?.([hostname]);
      });
    }
    await stillWanted(p);
    await setStatus(p, "running");
  }

  async function stopped(p: ProjectRecord, progress: OperationProgress) {
    const containers = await runtime.listContainers(projectLabels(p));
    const up = containers.filter((c) => c.state === "running" || c.state === "restarting");
    if (up.length || p.status !== "stopped") await setStatus(p, "stopping");
    await progress.run("stop", async () => {
      for (const c of up) await runtime.stopContainer(c.id, deps.stopTimeoutS);
      await removeHelpers(containers);
    });
    for (const s of p.services) {
      if (s.observedState !== "exited" || s.endpoint) {
        await store.updateService(p.id, s.kind, { observedState: "exited", health: "unknown", endpoint: null });
      }
    }
    await setStatus(p, "stopped");
  }

  async function deleted(p: ProjectRecord, progress: OperationProgress) {
    await setStatus(p, "deleting");
    const containers = await runtime.listContainers(projectLabels(p));
    await progress.run("stop", async () => {
      for (const c of containers) if (c.state === "running") await runtime.stopContainer(c.id, deps.stopTimeoutS);
    });
    await progress.run("remove", async () => {
      for (const c of containers) await runtime.removeContainer(c.id);
      await detachAndRemoveNetwork(names.network(p.id));
      if (!p.keepData) await runtime.removeVolume(names.volume(p.id));
    });
    await progress.run("route", () => store.finishDeletion(p.id));
  }

  return {
    /** Converges one project; throws ProjectFailure / Superseded / transient errors. */
    async converge(p: ProjectRecord, progress: OperationProgress, hasOp: boolean) {
      if (p.desiredState === "deleted") return deleted(p, progress);
      if (p.desiredState === "stopped") return stopped(p, progress);
      const template = await store.template(p.templateId);
      if (!template) throw new ProjectFailure("The project's template no longer exists");
      return running(p, template, progress, hasOp);
    },
    projectLabels,
    detachAndRemoveNetwork,
  };
}
