// The domain's word lists, each defined once. Types derive from them, zod enums are built from
// them (so /docs and the console's generated types follow), and a test checks the Prisma
// enums against them (adapters/persistence/prisma-vocabulary.test.ts).

/** What a template may declare and a project may run, each on its own hostname. */
export const SERVICE_KINDS = ["preview", "opencode", "production"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** What the API asks the reconciler for. */
export const DESIRED_STATES = ["running", "stopped", "deleted"] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

/** What the reconciler last observed and did (pending until its first pass). */
export const PROJECT_STATUSES = [
  "pending",
  "starting",
  "running",
  "stopping",
  "stopped",
  /** Idle: containers stopped by the platform while the desired state stays running; a request wakes it. */
  "sleeping",
  "failed",
  "deleting",
  "deleted",
] as const;
export type ProjectStatus = (typeof PROJECT_STATUSES)[number];

/** What the reconciler works on: one at a time per project, a newer one cancels an older one. */
export const LIFECYCLE_OPERATION_KINDS = ["create", "start", "stop", "restart", "delete"] as const;
export type LifecycleOperationKind = (typeof LIFECYCLE_OPERATION_KINDS)[number];
/** Deploy and rollback run beside the lifecycle: a stop neither cancels nor reports on a build. */
export const OPERATION_KINDS = [...LIFECYCLE_OPERATION_KINDS, "deploy", "rollback"] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export const OPERATION_STATUSES = ["pending", "running", "succeeded", "failed", "canceled"] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

/** The steps an operation reports, in the order a create (or a deploy) runs them. */
export const STEP_NAMES = [
  "pull",
  "network",
  "volume",
  "seed",
  "snapshot",
  "build",
  "artifact",
  "create",
  "start",
  "health",
  "route",
  "stop",
  "remove",
] as const;
export type StepName = (typeof STEP_NAMES)[number];

/** A production deployment's life: the first three hold the project's one deployment slot. */
export const DEPLOYMENT_STATUSES = [
  "queued",
  "building",
  "starting",
  "live",
  "superseded",
  "failed",
  "cancelled",
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const ACTIVE_DEPLOYMENT_STATUSES = [
  "queued",
  "building",
  "starting",
] as const satisfies readonly DeploymentStatus[];

/** build: a new artifact; rollback: an earlier build's artifact served again. */
export const DEPLOYMENT_KINDS = ["build", "rollback"] as const;
export type DeploymentKind = (typeof DEPLOYMENT_KINDS)[number];

/** Who may open a project host: its owner (and admins), anyone signed in, or everyone. */
export const ROUTE_ACCESS = ["owner", "authenticated", "public"] as const;
export type RouteAccess = (typeof ROUTE_ACCESS)[number];

export const ROLES = ["admin", "member"] as const;
export type Role = (typeof ROLES)[number];

/** A task's column on the project's board (issue #14), in the order a task moves through them. */
export const TASK_STATUSES = ["todo", "in_progress", "qa", "review", "done", "rejected", "cancelled"] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A task's own agent (its OpenCode session in the task's worktree): done = it finished its turn. */
export const TASK_AGENT_STATES = ["idle", "working", "error", "done"] as const;
export type TaskAgentState = (typeof TASK_AGENT_STATES)[number];

/** A task's QA run as a whole, and each of its gates. */
export const QA_STATUSES = ["running", "passed", "failed", "cancelled"] as const;
export type QaStatus = (typeof QA_STATUSES)[number];
export const QA_GATE_STATUSES = ["pending", "running", "passed", "failed", "timed_out", "skipped"] as const;
export type QaGateStatus = (typeof QA_GATE_STATUSES)[number];
