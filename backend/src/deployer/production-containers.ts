// The one place that knows how a deployment's containers and its route are made: names and
// labels, the build container holding the snapshot, the artifact image, the serving container,
// its endpoint and health, and the production route it is switched to. The deployer and the
// request path (snapshot at request time) use it; sleep and wake-up (issue #15) will too.

import type { ContainerDetails, ContainerRuntime, ImageInfo, Labels } from "../ports/container-runtime.port.js";
import { DEPLOYMENT_CONTAINER_KINDS } from "../ports/deployments.port.js";
import type { ProjectRecord, RouteRecord } from "../ports/projects.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";
import { LABEL, resourceNames } from "../reconciler/converger-context.js";
import { waitForHealthy } from "../reconciler/health.js";
import { DEFAULT_ACCESS, hostnameFor } from "../shared/project-urls.js";

/** Where a project's files live in its containers (the converger mounts the volume there). */
export const FILES_PATH = "/app";
export const DEPLOYMENT_LABEL = "devsanctum.deployment";
/** The kinds of resource the deployer owns (the reconciler's stop leaves them to it). */
export const DEPLOYER_KINDS = DEPLOYMENT_CONTAINER_KINDS;

export type ProductionRuntime = Pick<
  ContainerRuntime,
  | "ensureNetwork"
  | "imagePresent"
  | "pullImage"
  | "createContainer"
  | "startContainer"
  | "stopContainer"
  | "removeContainer"
  | "inspectContainer"
  | "listContainers"
  | "copyVolumeIntoContainer"
  | "commitContainer"
  | "inspectImage"
  | "listImages"
  | "removeImage"
  | "waitContainer"
  | "logs"
>;

export interface ProductionContainersDeps {
  runtime: ProductionRuntime;
  installId: string;
  extraLabels: Labels;
  appsDomain: string;
  /** How service endpoints (http://<container>:<port> on the project's network) are reached. */
  connector: Pick<ServiceConnector, "fetch">;
  healthTimeoutMs: number;
  stopTimeoutS: number;
}

type Project = Pick<ProjectRecord, "id" | "slug">;

export function productionContainers(deps: ProductionContainersDeps) {
  const { runtime } = deps;
  const names = resourceNames(deps.installId);
  const projectLabels = (p: Pick<Project, "id">): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: p.id,
  });
  const labels = (p: Project, kind: string, number?: number): Labels => ({
    ...projectLabels(p),
    [LABEL.kind]: kind,
    ...(number ? { [DEPLOYMENT_LABEL]: String(number) } : {}),
  });
  const containerName = (p: Project, kind: "build" | "production", number: number) =>
    `ds-${deps.installId}-${p.slug}-${kind}-${number}`;
  const env = (p: Project, spec: ServiceSpec, service: string, number: number) => ({
    ...spec.env,
    DEVSANCTUM_PROJECT: p.slug,
    DEVSANCTUM_SERVICE: service,
    DEVSANCTUM_DEPLOYMENT: String(number),
  });

  /** Where a running container answers: its name on the project's network. */
  function endpointOf(spec: ServiceSpec, d: ContainerDetails | null): string | null {
    return d?.state === "running" ? `http://${d.name}:${spec.port}` : null;
  }

  return {
    projectLabels,
    labels,
    hostname: (p: Project) => hostnameFor(p.slug, "production", deps.appsDomain),
    route: (p: Project, endpoint: string): RouteRecord => ({
      hostname: hostnameFor(p.slug, "production", deps.appsDomain),
      kind: "production",
      target: endpoint,
      access: DEFAULT_ACCESS.production,
    }),
    imageRef: (p: Project, number: number) => `ds-${deps.installId}/${p.id}:${number}`,

    async ensureImage(image: string) {
      if (!(await runtime.imagePresent(image))) await runtime.pullImage(image, () => {});
    },

    /**
     * The snapshot: a build container, created but not started, holding a copy of the project's
     * files as they are now. The build later runs in it and can neither see later edits nor
     * change the project's files (it has no volume).
     */
    async createBuild(p: Project, spec: ServiceSpec, number: number) {
      await this.ensureImage(spec.image);
      const network = names.network(p.id);
      await runtime.ensureNetwork(network, projectLabels(p));
      const created = runtime.createContainer({
        name: containerName(p, "build", number),
        image: spec.image,
        // Without a build step the snapshot alone is the artifact: the container never runs.
        command: spec.build?.command ?? ["true"],
        workdir: spec.workdir ?? FILES_PATH,
        env: env(p, spec, "build", number),
        labels: labels(p, DEPLOYER_KINDS.build, number),
        network,
        networkAlias: `build-${number}`,
        limits: spec.limits,
        capAdd: spec.capabilities ?? [],
      });
      const copied = runtime.copyVolumeIntoContainer({
        volume: names.volume(p.id),
        mountPath: FILES_PATH,
        container: created.then((c) => c.id),
        image: spec.image,
        labels: labels(p, DEPLOYER_KINDS.snapshot, number),
      });
      // Both settle before anything is said: a failed copy leaves no unnamed build container.
      const [build, copy] = await Promise.allSettled([created, copied]);
      if (build.status === "rejected") throw build.reason;
      if (copy.status === "rejected") {
        await runtime.removeContainer(build.value.id).catch(() => {});
        throw copy.reason;
      }
      return { containerId: build.value.id, bytes: copy.value.bytes };
    },

    /** The build container's filesystem, committed: the deployment's immutable artifact. */
    async commit(p: Project, spec: ServiceSpec, number: number, buildContainerId: string): Promise<ImageInfo> {
      const ref = this.imageRef(p, number);
      // A commit that happened before a crash is adopted, not made twice.
      const existing = await runtime.inspectImage(ref);
      if (existing) return existing;
      return runtime.commitContainer(buildContainerId, {
        ref,
        labels: labels(p, DEPLOYER_KINDS.artifact, number),
        command: spec.command,
        workdir: spec.workdir ?? FILES_PATH,
      });
    },

    /** A container serving `image` for deployment `number`, created (not started). */
    async createServe(p: Project, spec: ServiceSpec, number: number, image: string) {
      const { id } = await runtime.createContainer({
        name: containerName(p, "production", number),
        image,
        command: spec.command,
        workdir: spec.workdir ?? FILES_PATH,
        env: env(p, spec, "production", number),
        labels: labels(p, DEPLOYER_KINDS.serve, number),
        network: names.network(p.id),
        networkAlias: `production-${number}`,
        // No port is published: the gate (or compose's control plane) reaches it on the network.
        limits: spec.limits,
        capAdd: spec.capabilities ?? [],
      });
      return id;
    },

    /** Starts the container unless it runs; returns where it answers. */
    async start(spec: ServiceSpec, containerId: string) {
      let details = await runtime.inspectContainer(containerId);
      if (details?.state !== "running") {
        await runtime.startContainer(containerId);
        details = await runtime.inspectContainer(containerId);
      }
      const endpoint = endpointOf(spec, details);
      if (!endpoint) throw new Error(exitReason(details, spec, "right after it started"));
      return endpoint;
    },

    /** Waits for the health check; a container that exits meanwhile says why. */
    async healthy(spec: ServiceSpec, containerId: string, endpoint: string, signal: AbortSignal) {
      try {
        // Polled every 50 ms at most: the switch waits on this, and a starting server is cheap to ask.
        const check = { ...spec.healthCheck, intervalMs: Math.min(spec.healthCheck.intervalMs, 50) };
        await waitForHealthy(endpoint, check, {
          deadlineMs: deps.healthTimeoutMs,
          signal,
          fetch: deps.connector.fetch,
        });
      } catch (err) {
        const after = await runtime.inspectContainer(containerId);
        if (after?.state !== "running") throw new Error(exitReason(after, spec, "before it was healthy"));
        throw err;
      }
    },

    endpointOf,

    /** The last lines a container printed, for a deployment's log when it failed to start. */
    async lastLines(containerId: string, tail = 40): Promise<string[]> {
      const out: string[] = [];
      try {
        for await (const l of runtime.logs(containerId, { tail, follow: false, signal: AbortSignal.timeout(5000) })) {
          out.push(l.line);
        }
      } catch {}
      return out;
    },

    stop: (id: string) => runtime.stopContainer(id, deps.stopTimeoutS),
    /** Stops now: a build being cancelled or out of time. */
    kill: (id: string) => runtime.stopContainer(id, 0),
    remove: (id: string) => runtime.removeContainer(id),
  };
}

export type ProductionContainers = ReturnType<typeof productionContainers>;

export function exitReason(d: ContainerDetails | null, spec: ServiceSpec, when: string) {
  if (!d) return `the production container disappeared ${when}`;
  if (d.oomKilled) return `the production container ran out of memory (limit ${spec.limits.memoryMb} MB) ${when}`;
  return `the production container exited with code ${d.exitCode ?? "?"} ${when}`;
}
