// Production deployments in domain terms. A deployment is a numbered release of a project's
// production service: a build (its own immutable artifact image) or a rollback (an earlier
// build's image, served again). The Prisma adapter implements the store; the switch of the
// production route is one transaction behind it.
import type { NewOperation, OperationRecord, RouteRecord } from "./projects.port.js";
import { ACTIVE_DEPLOYMENT_STATUSES, type DeploymentKind, type DeploymentStatus } from "./vocabulary.js";

export type { DeploymentKind, DeploymentStatus } from "./vocabulary.js";

/** The `devsanctum.kind` labels of what the deployer makes: a build, the serving container, a snapshot helper, the image. */
export const DEPLOYMENT_CONTAINER_KINDS = {
  build: "build",
  serve: "production",
  snapshot: "snapshot",
  artifact: "artifact",
} as const;

export const isActiveDeployment = (s: DeploymentStatus) =>
  (ACTIVE_DEPLOYMENT_STATUSES as readonly string[]).includes(s);

/**
 * Build and start output, bounded: the first lines and the latest ones, `total` counting every
 * line ever added. `prelude` lines at the start are the control plane's own (snapshot, build
 * command), rebuilt when a restarted control plane re-reads a build's output. See deployment-log.ts.
 */
export interface StoredLog {
  head: string[];
  tail: string[];
  total: number;
  prelude: number;
}

export interface DeploymentRecord {
  id: string;
  projectId: string;
  number: number;
  kind: DeploymentKind;
  /** The deployment a rollback returns to. */
  rollbackOf: number | null;
  status: DeploymentStatus;
  /** Why it failed or was cancelled, in words a person can act on. */
  error: string | null;
  requestedBy: { id: string; name: string | null; email: string } | null;
  operationId: string | null;
  /** The artifact's image id; a rollback shares its build's. */
  image: string | null;
  /** Disk the artifact adds over its base image (its own layer). */
  sizeBytes: number | null;
  snapshotBytes: number | null;
  buildContainerId: string | null;
  /** The container serving this deployment (live, warm, or stopped but kept). */
  containerId: string | null;
  /** Where that container answers, as health-checked; the production route's target while live. */
  endpoint: string | null;
  log: StoredLog;
  cancelRequestedAt: Date | null;
  snapshotAt: Date | null;
  buildStartedAt: Date | null;
  buildFinishedAt: Date | null;
  liveAt: Date | null;
  supersededAt: Date | null;
  /** A superseded deployment's container keeps running until then (instant rollback). */
  warmUntil: Date | null;
  createdAt: Date;
  finishedAt: Date | null;
}

export type DeploymentPatch = Partial<
  Pick<
    DeploymentRecord,
    | "status"
    | "error"
    | "image"
    | "sizeBytes"
    | "snapshotBytes"
    | "buildContainerId"
    | "containerId"
    | "endpoint"
    | "log"
    | "snapshotAt"
    | "buildStartedAt"
    | "buildFinishedAt"
    | "warmUntil"
    | "finishedAt"
  >
>;

export interface NewDeployment {
  kind: DeploymentKind;
  rollbackOf: number | null;
  image: string | null;
  sizeBytes: number | null;
  requestedById: string;
  log: StoredLog;
  operation: NewOperation;
}

export interface GoLive {
  deploymentId: string;
  projectId: string;
  containerId: string;
  endpoint: string;
  route: RouteRecord;
  /** false while the project is stopped: the deployment is live, its container stopped after the switch. */
  serving: boolean;
  /** The previous live deployment stays warm until then. */
  warmUntil: Date;
  /** A warm rollback takes over the container of the deployment it returns to. */
  takeContainerFrom?: string;
  log: StoredLog;
}

export interface DeploymentStore {
  /**
   * Opens a deployment numbered after the newest one, unless one is active: one transaction
   * with the project's row locked, so two requests cannot both open one.
   */
  open(
    projectId: string,
    input: NewDeployment,
  ): Promise<{ deployment: DeploymentRecord; operation: OperationRecord } | { busy: DeploymentRecord }>;
  /** Newest first. */
  list(projectId: string): Promise<DeploymentRecord[]>;
  get(projectId: string, number: number): Promise<DeploymentRecord | null>;
  /**
   * Writes the patch while the deployment is in one of `from` (default: any status);
   * false when it is not (e.g. cancelled meanwhile), and nothing was written.
   */
  update(id: string, patch: DeploymentPatch, from?: readonly DeploymentStatus[]): Promise<boolean>;
  /** Marks an active deployment for cancellation; null when it is not active. */
  requestCancel(id: string): Promise<DeploymentRecord | null>;
  /**
   * The blue-green switch, in one transaction: this deployment live, the previous live one
   * superseded and warm, the production route and service row pointed at the new endpoint.
   * False (nothing written) when the deployment is no longer starting.
   */
  goLive(input: GoLive): Promise<boolean>;
  /** The live deployment's container moved (restarted, recreated): deployment, route and service row together. */
  moveLive(input: { deploymentId: string; projectId: string; containerId: string; endpoint: string }): Promise<void>;
  /** Removes the rows (their containers and images are the caller's to remove first). */
  remove(ids: readonly string[]): Promise<void>;
  /** Every project that has a deployment row, deleted ones included. */
  projectIds(): Promise<string[]>;
}
