import { z } from "zod";
import { QA_GATE_STATUSES, QA_STATUSES, TASK_AGENT_STATES, TASK_STATUSES } from "../../ports/vocabulary.js";
import { QaGate, QaGateList } from "../../shared/qa-gate-schemas.js";
import { displayName, ProjectIdParams } from "../../shared/schemas.js";

export const TaskStatus = z.enum(TASK_STATUSES).meta({ id: "TaskStatus" });

const ReviewComment = z.object({ path: z.string(), line: z.number().int(), body: z.string() });

const ReviewRound = z.object({
  at: z.iso.datetime({ offset: true }),
  by: z.string().nullable().describe("The user who acted"),
  action: z.enum(["approve", "reject", "cancel", "request_changes"]),
  message: z.string().optional(),
  comments: z.array(ReviewComment).optional(),
  override: z.boolean().optional().describe("An approval over failing or unfinished required QA gates"),
});

const GateResult = z
  .object({
    name: z.string(),
    command: z.string(),
    required: z.boolean(),
    order: z.number().int(),
    timeoutSeconds: z.number().int(),
    status: z.enum(QA_GATE_STATUSES),
    exitCode: z.number().int().nullable(),
    durationMs: z.number().int().nullable(),
    output: z.string().describe("The gate's output, its last 64 KB"),
  })
  .meta({ id: "QaGateResult" });

export const QaResults = z
  .object({
    status: z.enum(QA_STATUSES),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }).nullable(),
    override: z
      .object({ by: z.string().nullable(), at: z.iso.datetime({ offset: true }), reason: z.string().optional() })
      .nullable(),
    gates: z.array(GateResult),
  })
  .meta({ id: "QaResults" });

const TaskAgent = z
  .object({
    state: z.enum(TASK_AGENT_STATES),
    lastActivityAt: z.iso.datetime({ offset: true }).nullable().describe("The last tool call or file write"),
    error: z.string().nullable(),
    summary: z.string().nullable().describe("What the agent said when its last turn ended"),
  })
  .meta({ id: "TaskAgent" });

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
    qaResults: QaResults.nullable(),
    reviewHistory: z.array(ReviewRound),
    agent: TaskAgent,
    emptyDiff: z.boolean().describe("The agent finished and changed nothing: flagged, left in in_progress"),
    previewUrl: z.string().nullable().describe("The task's own preview (<slug>--t<n>.<APPS_DOMAIN>) while in review"),
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
export const ApproveBody = z.strictObject({
  message: z.string().trim().min(1).max(4000).optional(),
  override: z.boolean().optional().describe("Approve although a required QA gate failed or runs (recorded)"),
  reason: z.string().trim().min(1).max(4000).optional().describe("Why the override"),
});
export const RequestChangesBody = z
  .strictObject({
    comments: z
      .array(
        z.strictObject({
          path: z.string().min(1).max(1000),
          line: z.number().int().min(0).max(10_000_000),
          body: z.string().trim().min(1).max(4000),
        }),
      )
      .max(200),
    message: z.string().trim().min(1).max(4000).optional(),
  })
  .refine((b) => b.comments.length > 0 || b.message, "give at least one comment or a message");
export const TaskAccepted = z.object({ task: Task });
export const QaGatesView = z
  .object({ gates: z.array(QaGate), source: z.enum(["template", "project"]) })
  .meta({ id: "QaGates" });
export const PutQaGatesBody = z.strictObject({
  gates: QaGateList.nullable().describe("null: back to the template's gates"),
});
export const RejectBody = z.strictObject({ reason: z.string().trim().min(1).max(4000) });
export const EventStream = z.string().describe("text/event-stream");
