// Projects, their services and operations in domain terms. The Prisma adapter implements it;
// transactions live behind it.
import type { AgentStateRecord } from "./agent.port.js";
import type { TemplateRecord } from "./templates.port.js";
import type {
  DesiredState,
  OperationKind,
  OperationStatus,
  ProjectStatus,
  RouteAccess,
  ServiceKind,
  StepName,
} from "./vocabulary.js";

export type { OperationKind, ProjectStatus, StepName } from "./vocabulary.js";

export interface OperationStep {
  name: StepName;
  status: OperationStatus;
  message?: string;
  progress?: number;
}

export interface OperationRecord {
  id: string;
  projectId: string | null;
  userId: string | null;
  kind: OperationKind;
  status: OperationStatus;
  progress: number;
  steps: OperationStep[];
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export interface ServiceInstanceRecord {
  kind: ServiceKind;
  containerId: string | null;
  endpoint: string | null;
  observedState: string;
  health: string;
  restartCount: number;
  lastError: string | null;
}

export interface ProjectRecord {
  id: string;
  name: string;
  slug: string;
  templateId: string;
  templateName: string;
  prompt: string | null;
  /** null only for an unclaimed warm-pool instance (poolKey set). */
  ownerId: string | null;
  /** Set while it is an unclaimed warm-pool instance: the template content it was made from. */
  poolKey: string | null;
  desiredState: DesiredState;
  keepData: boolean;
  status: ProjectStatus;
  statusMessage: string | null;
  /** Bumped by restart: containers of an older generation are replaced. */
  generation: number;
  seededAt: Date | null;
  lastActivityAt: Date;
  /** Seconds without activity before it sleeps; null = the installation default, 0 = never. */
  idleTimeoutSeconds: number | null;
  /** When it went to sleep (its containers stop, desired state stays running); null while awake. */
  sleptAt: Date | null;
  /** Production deployments sleep with the project only when this is set. */
  productionIdle: boolean;
  createdAt: Date;
  updatedAt: Date;
  services: ServiceInstanceRecord[];
  /** The project's agent as last seen (null before its first prompt). */
  agent?: AgentStateRecord | null;
  /** Model settings exist for it (its own or its owner's). */
  agentConfigured?: boolean;
}

export interface NewOperation {
  kind: OperationKind;
  userId: string;
  steps: OperationStep[];
  /** An already satisfied request is recorded as succeeded at once. */
  status?: OperationStatus;
}

export interface DesiredChange {
  desiredState: DesiredState;
  status: ProjectStatus;
  keepData?: boolean;
  bumpGeneration?: boolean;
  /** A user's start/restart gives crashed services a fresh restart budget. */
  resetRestarts?: boolean;
}

export interface RouteRecord {
  hostname: string;
  kind: ServiceKind;
  target: string;
  access: RouteAccess;
}

export interface ProjectSettingsPatch {
  name?: string;
  idleTimeoutSeconds?: number | null;
  productionIdle?: boolean;
}

/** Where the activity aggregator flushes to: one write per project per flush, never per request. */
export interface ActivityStore {
  /** Moves lastActivityAt forward (never back) to each given time. */
  recordActivity(latest: ReadonlyMap<string, Date>): Promise<void>;
}

export interface ProjectStore {
  /** null when the slug is taken (the caller picks another). */
  create(
    project: { name: string; slug: string; templateId: string; prompt: string | null; ownerId: string },
    operation: NewOperation,
  ): Promise<{ project: ProjectRecord; operation: OperationRecord } | null>;
  /**
   * Takes a running warm-pool instance of the template made from `poolKey` and makes it this
   * project (owner, name, slug, prompt) with its operation, in one write; null when the pool has
   * none ready, "slug_taken" when the slug is another project's.
   */
  claimPooled(
    project: { name: string; slug: string; templateId: string; prompt: string | null; ownerId: string },
    poolKey: string,
    operation: NewOperation,
  ): Promise<{ project: ProjectRecord; operation: OperationRecord } | "slug_taken" | null>;
  nameTaken(ownerId: string, name: string): Promise<boolean>;
  list(filter: { ownerId?: string }): Promise<ProjectRecord[]>;
  get(id: string): Promise<ProjectRecord | null>;
  /** Writes the desired state and a new operation; older active operations are canceled. */
  requestChange(
    id: string,
    change: DesiredChange,
    operation: NewOperation,
  ): Promise<{ project: ProjectRecord; operation: OperationRecord }>;
  /** Records an already satisfied request as a succeeded operation. */
  addOperation(projectId: string, operation: NewOperation): Promise<OperationRecord>;
  activeOperation(projectId: string): Promise<OperationRecord | null>;
  listOperations(projectId: string, limit: number): Promise<OperationRecord[]>;
  getOperation(id: string): Promise<OperationRecord | null>;
  /** Renames and idle settings; null when the name is taken by another of the owner's projects. */
  updateSettings(id: string, patch: ProjectSettingsPatch): Promise<ProjectRecord | null>;
}

/** What the reconciler reads and writes. */
export interface ReconcileStore {
  get(id: string): Promise<ProjectRecord | null>;
  template(id: string): Promise<TemplateRecord | null>;
  activeOperation(projectId: string): Promise<OperationRecord | null>;
  /** Projects the reconciler still has work on (every one not fully deleted). */
  listActiveIds(): Promise<string[]>;
  /** Every project row, for telling stray Docker resources from live ones. */
  listKnown(): Promise<Array<{ id: string; status: ProjectStatus; keepData: boolean }>>;
  setStatus(id: string, status: ProjectStatus, message: string | null): Promise<void>;
  markSeeded(id: string): Promise<void>;
  /** Puts a running, awake project to sleep; false when something changed it meanwhile. */
  markSleeping(id: string, at: Date): Promise<boolean>;
  /** Wakes a sleeping project; true for the one caller (of every replica) that woke it. */
  clearSleep(id: string): Promise<boolean>;
  /** Why the project must stay awake whatever its activity (a build, the agent's work), or null. */
  busyReason(id: string): Promise<string | null>;
  upsertService(
    projectId: string,
    kind: ServiceKind,
    patch: Partial<Omit<ServiceInstanceRecord, "kind">>,
  ): Promise<void>;
  /** Updates an existing service row only (events never resurrect a removed one). */
  updateService(
    projectId: string,
    kind: ServiceKind,
    patch: Partial<Omit<ServiceInstanceRecord, "kind" | "restartCount">> & { incrementRestarts?: boolean },
  ): Promise<void>;
  upsertRoute(projectId: string, route: RouteRecord): Promise<void>;
  /**
   * Routes, services and slug released; the row stays (status deleted) for its operations and kept
   * volume. A warm-pool instance leaves nothing to keep: its row goes.
   */
  finishDeletion(id: string): Promise<void>;
  /** Updates an operation that is still pending or running; a finished one stays as it is. */
  updateOperation(
    id: string,
    patch: Partial<Pick<OperationRecord, "status" | "progress" | "steps" | "error" | "startedAt" | "finishedAt">>,
  ): Promise<void>;
}

/** A warm-pool instance as the pool keeper sees it. */
export interface PoolInstance {
  id: string;
  templateId: string;
  poolKey: string;
  status: ProjectStatus;
  desiredState: DesiredState;
}

/** What the warm-pool keeper reads and writes (reconciler/warm-pool.ts). */
export interface PoolStore {
  /** Every unclaimed instance not yet gone. */
  listPool(): Promise<PoolInstance[]>;
  /** A new unowned, unrouted project of the template, desired running. */
  createPooled(instance: { templateId: string; slug: string; poolKey: string }): Promise<{ id: string }>;
  /** Asks for an unclaimed instance to be deleted; false when it was claimed meanwhile. */
  retirePooled(id: string): Promise<boolean>;
}

/** One worker per project at a time, across every control-plane process. */
export interface ProjectLocks {
  /** Runs fn while holding the project's lock; ran=false when another worker holds it. */
  tryRun<T>(projectId: string, fn: () => Promise<T>): Promise<{ ran: true; value: T } | { ran: false }>;
  close(): Promise<void>;
}

/** In-process notifications that a project or one of its operations changed. */
export interface ProjectSignals {
  notify(projectId: string): void;
  subscribe(projectId: string, fn: () => void): () => void;
}
