// What every step of a reconcile pass shares: the ports, the names and labels of a project's
// Docker resources, and the two checks a pass makes between steps.
import type { ContainerDetails, ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { ProjectRecord, ProjectStatus, ReconcileStore } from "../ports/projects.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { ServiceSpec } from "../ports/templates.port.js";

export const RUNNABLE_KINDS = ["preview", "opencode"] as const;
export type RunnableKind = (typeof RUNNABLE_KINDS)[number];

export const LABEL = {
  install: "devsanctum.install",
  project: "devsanctum.project",
  kind: "devsanctum.kind",
  generation: "devsanctum.generation",
  /** The fingerprint of what serviceSecrets adds (e.g. the agent's model settings): changed → replaced. */
  config: "devsanctum.config",
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
  | "renameContainer"
  | "inspectContainer"
>;

export type ServiceSecrets = (
  projectId: string,
  kind: RunnableKind,
) => Promise<{
  env: Record<string, string>;
  healthHeaders: Record<string, string>;
  /** Names the configuration the env carries: a container made with another one is replaced. */
  fingerprint?: string;
}>;

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
   * How the control plane reaches services at http://<container>:<port> on the project's
   * network: through the service gate, or directly (compose). `attachContainers` (the gate, or
   * the control plane and Traefik) join every project network.
   */
  connector: Pick<ServiceConnector, "fetch">;
  attachContainers?: string[];
  /** Before a running project's pass: what every project needs (the service gate running). */
  prepare?: () => Promise<void>;
  /** Resolves once the proxy serves these hostnames (Traefik verification); the builtin edge needs none. */
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
  /** Makes the seeded files the project's first commit (issue #13); idempotent. */
  initRepository?: (p: ProjectRecord) => Promise<void>;
}

export function resourceNames(installId: string) {
  return {
    network: (projectId: string) => `ds-${installId}-${projectId}`,
    volume: (projectId: string) => `ds-${installId}-${projectId}-files`,
    /** A service's own state (template `stateDir`, e.g. the agent's sessions): only it mounts this. */
    stateVolume: (projectId: string, kind: string) => `ds-${installId}-${projectId}-${kind}-state`,
    container: (p: ProjectRecord, kind: string) => `ds-${installId}-${p.slug}-${kind}`,
  };
}

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

export function convergerContext(deps: ConvergerDeps) {
  const { store } = deps;
  const names = resourceNames(deps.installId);
  const projectLabels = (p: ProjectRecord): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: p.id,
  });
  return {
    deps,
    names,
    projectLabels,
    serviceLabels: (p: ProjectRecord, kind: string): Labels => ({
      ...projectLabels(p),
      [LABEL.kind]: kind,
      [LABEL.generation]: String(p.generation),
    }),
    async setStatus(p: ProjectRecord, status: ProjectStatus, message: string | null = null) {
      if (p.status === status && p.statusMessage === message) return;
      await store.setStatus(p.id, status, message);
      p.status = status;
      p.statusMessage = message;
    },
    /** Throws Superseded when the desired state or generation moved since the pass read it. */
    async stillWanted(p: ProjectRecord) {
      const now = await store.get(p.id);
      if (!now || now.desiredState !== p.desiredState || now.generation !== p.generation) throw new Superseded();
    },
    /** Throws Superseded when a sleeping project was woken (or changed) since the pass read it. */
    async stillAsleep(p: ProjectRecord) {
      const now = await store.get(p.id);
      if (!now?.sleptAt || now.desiredState !== p.desiredState) throw new Superseded();
    },
    /** A network with other containers attached (control plane, Traefik) cannot be removed. */
    async detachAndRemoveNetwork(network: string) {
      for (const c of deps.attachContainers ?? []) await deps.runtime.disconnectNetwork(network, c);
      await deps.runtime.removeNetwork(network);
    },
  };
}

export type ConvergerContext = ReturnType<typeof convergerContext>;
