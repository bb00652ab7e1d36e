import { z } from "zod";
import type { OperationRecord } from "../ports/projects.port.js";
import { OPERATION_KINDS, OPERATION_STATUSES, STEP_NAMES } from "../ports/vocabulary.js";

// What a 202 returns, for a lifecycle request (projects) or a deployment (deployments): one
// schema, registered once, and the one function that writes it.

export const Operation = z
  .object({
    id: z.uuid(),
    projectId: z.uuid().nullable(),
    kind: z.enum(OPERATION_KINDS),
    status: z.enum(OPERATION_STATUSES),
    progress: z.number().int().min(0).max(100),
    steps: z.array(
      z.object({
        name: z.enum(STEP_NAMES),
        status: z.enum(OPERATION_STATUSES),
        message: z.string().optional(),
        progress: z.number().int().min(0).max(100).optional(),
      }),
    ),
    error: z.string().nullable(),
    createdAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: "Operation" });

export function toOperationDto(o: OperationRecord) {
  return {
    id: o.id,
    projectId: o.projectId,
    kind: o.kind,
    status: o.status,
    progress: o.progress,
    steps: o.steps,
    error: o.error,
    createdAt: o.createdAt.toISOString(),
    startedAt: o.startedAt?.toISOString() ?? null,
    finishedAt: o.finishedAt?.toISOString() ?? null,
  };
}
