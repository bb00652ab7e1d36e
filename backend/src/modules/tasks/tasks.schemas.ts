import { z } from "zod";
import { TASK_STATUSES } from "../../ports/vocabulary.js";
import { displayName, ProjectIdParams } from "../../shared/schemas.js";

export const TaskStatus = z.enum(TASK_STATUSES).meta({ id: "TaskStatus" });

const ReviewRound = z.object({
  at: z.iso.datetime({ offset: true }),
  by: z.string().nullable().describe("The user who acted"),
  action: z.enum(["approve", "reject", "cancel", "request_changes"]),
  message: z.string().optional(),
  comments: z.array(z.object({ path: z.string(), line: z.number().int(), body: z.string() })).optional(),
});

export const Task = z
  .object({
    n: z.number().int().describe("The task's number within its project"),
    title: z.string(),
    description: z.string(),
    status: TaskStatus,
    position: z.number().int().describe("Order within its column, smallest first"),
    createdById: z.string().nullable(),
    sessionId: z.string().nullable().describe("The task's agent session"),
    branch: z.string().nullable().describe("task/<n> once it has run"),
    baseCommit: z.string().nullable().describe("The main tree's commit the branch started from"),
    mergeCommit: z.string().nullable().describe("The main tree's commit approval made"),
    qaResults: z.unknown().nullable(),
    reviewHistory: z.array(ReviewRound),
    createdAt: z.iso.datetime({ offset: true }),
    updatedAt: z.iso.datetime({ offset: true }),
  })
  .meta({ id: "Task" });

const Description = z
  .string()
  .max(20_000)
  .regex(/^[^\0]*$/, "must not contain NUL");
const Position = z.number().int().min(0).max(1_000_000);

export const CreateTaskBody = z.strictObject({ title: displayName(200), description: Description.optional() });
export const UpdateTaskBody = z
  .strictObject({
    title: displayName(200).optional(),
    description: Description.optional(),
    status: TaskStatus.optional().describe("todo, in_progress, qa or review (done, rejected, cancelled have routes)"),
    position: Position.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change");
export const TaskListQuery = z.object({ status: TaskStatus.optional() });
export const TaskParams = ProjectIdParams.extend({ n: z.coerce.number().int().min(1).max(2_147_483_647) });
export const ApproveBody = z.strictObject({ message: z.string().trim().min(1).max(4000).optional() });
export const RejectBody = z.strictObject({ reason: z.string().trim().min(1).max(4000) });
