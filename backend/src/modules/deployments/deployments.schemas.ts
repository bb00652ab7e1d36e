import { z } from "zod";
import { DEPLOYMENT_KINDS, DEPLOYMENT_STATUSES } from "../../ports/vocabulary.js";
import { Operation } from "../../shared/operations.js";
import { ErrorBody } from "../../shared/schemas.js";

const at = z.iso.datetime().nullable();

export const Deployment = z
  .object({
    number: z.number().int().min(1),
    kind: z
      .enum(DEPLOYMENT_KINDS)
      .describe("build: a new artifact; rollback: an earlier build's artifact served again"),
    rollbackOf: z.number().int().nullable().describe("The deployment a rollback returns to"),
    status: z.enum(DEPLOYMENT_STATUSES),
    error: z.string().nullable().describe("Why it failed or was cancelled (exit code, out of memory, timeout, health)"),
    requestedBy: z.object({ id: z.uuid(), name: z.string().nullable(), email: z.string() }).nullable(),
    operationId: z.uuid().nullable(),
    url: z.string().nullable().describe("The public production URL, while this deployment is live"),
    sizeBytes: z.number().int().nullable().describe("Disk its artifact adds over the template's image"),
    snapshotBytes: z.number().int().nullable().describe("Size of the snapshot of the project's files"),
    buildDurationMs: z.number().int().nullable(),
    warm: z.boolean().describe("Superseded, its container still running: a rollback to it is a route switch"),
    warmUntil: at,
    cancelRequested: z.boolean(),
    createdAt: z.iso.datetime(),
    buildStartedAt: at,
    buildFinishedAt: at,
    liveAt: at,
    supersededAt: at,
    finishedAt: at,
  })
  .meta({ id: "Deployment" });

export const DeploymentWithLog = Deployment.extend({
  log: z.string().describe("Build and start output, bounded: the first and the latest lines"),
}).meta({ id: "DeploymentWithLog" });

export const DeploymentAccepted = z
  .object({ deployment: Deployment, operation: Operation })
  .meta({ id: "DeploymentOperation" });

export const DeploymentList = z.object({
  deployments: z.array(Deployment).describe("Newest first"),
  diskBytes: z.number().int().describe("Disk used by the project's deployment artifacts, each image counted once"),
  keep: z.number().int().describe("DEPLOY_KEEP: deployments one can serve that are kept"),
});

export const ProjectParams = z.object({ id: z.uuid() });

export const EventStream = z.string().describe("text/event-stream");

export const DeploymentParams = z.object({
  id: z.uuid(),
  number: z.coerce.number().int().min(1).max(2_147_483_647),
});

/** 409 while another deployment is queued, building or starting: it names that one. */
export const DeploymentConflict = ErrorBody.extend({
  error: ErrorBody.shape.error.extend({
    details: z.object({ deployment: Deployment }).optional().describe("The deployment in progress"),
  }),
}).meta({ id: "DeploymentConflict" });
