import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { openEventStream } from "../../http/sse.js";
import { Commit, Diff } from "../../shared/git-schemas.js";
import { ErrorBody, errorResponses, ProjectIdParams } from "../../shared/schemas.js";
import {
  ApproveBody,
  CreateTaskBody,
  EventStream,
  PutQaGatesBody,
  QaGatesView,
  RejectBody,
  RequestChangesBody,
  Task,
  TaskAccepted,
  TaskListQuery,
  TaskParams,
  UpdateTaskBody,
} from "./tasks.schemas.js";
import type { TasksService, TaskView } from "./tasks.service.js";

const errors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody, 503: ErrorBody };

const view = (t: TaskView): z.infer<typeof Task> => ({
  n: t.n,
  title: t.title,
  description: t.description,
  status: t.status,
  position: t.position,
  createdById: t.createdById,
  sessionId: t.sessionId,
  branch: t.branch,
  baseCommit: t.baseCommit,
  mergeCommit: t.mergeCommit,
  qaResults: t.qaResults ?? null,
  reviewHistory: t.reviewHistory,
  agent: {
    state: t.agentState,
    lastActivityAt: t.agentActivityAt?.toISOString() ?? null,
    error: t.agentError,
    summary: t.agentSummary,
  },
  emptyDiff: t.emptyDiff,
  previewUrl: t.previewUrl,
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
});

export const tasksRoutes: FastifyPluginAsyncZod<{ tasks: TasksService }> = async (app, { tasks }) => {
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");
  const tags = ["tasks"];

  app.post(
    "/projects/:id/tasks",
    {
      onRequest: write,
      schema: {
        operationId: "createTask",
        tags,
        summary: "Add a task to the project's board (todo, at the end of its column)",
        security: SECURED,
        params: ProjectIdParams,
        body: CreateTaskBody,
        response: { 201: Task, ...errors },
      },
    },
    async (req, reply) => reply.status(201).send(view(await tasks.create(principalOf(req), req.params.id, req.body))),
  );

  app.get(
    "/projects/:id/tasks",
    {
      onRequest: read,
      schema: {
        operationId: "listTasks",
        tags,
        summary: "The project's tasks, by position in their column",
        security: SECURED,
        params: ProjectIdParams,
        querystring: TaskListQuery,
        response: { 200: z.object({ tasks: z.array(Task) }), ...errors },
      },
    },
    async (req) => ({ tasks: (await tasks.list(principalOf(req), req.params.id, req.query)).map(view) }),
  );

  app.get(
    "/projects/:id/tasks/:n",
    {
      onRequest: read,
      schema: {
        operationId: "getTask",
        tags,
        summary: "One task",
        security: SECURED,
        params: TaskParams,
        response: { 200: Task, ...errors },
      },
    },
    async (req) => view(await tasks.get(principalOf(req), req.params.id, req.params.n)),
  );

  app.patch(
    "/projects/:id/tasks/:n",
    {
      onRequest: write,
      schema: {
        operationId: "updateTask",
        tags,
        summary: "Edit a task or move it on the board (409 for a move its state does not allow)",
        security: SECURED,
        params: TaskParams,
        body: UpdateTaskBody,
        response: { 200: Task, ...errors },
      },
    },
    async (req) => view(await tasks.update(principalOf(req), req.params.id, req.params.n, req.body)),
  );

  app.delete(
    "/projects/:id/tasks/:n",
    {
      onRequest: write,
      schema: {
        operationId: "deleteTask",
        tags,
        summary: "Delete a task and its worktree (its branch stays in history)",
        security: SECURED,
        params: TaskParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await tasks.remove(principalOf(req), req.params.id, req.params.n);
      return reply.status(204).send(null);
    },
  );

  app.post(
    "/projects/:id/tasks/:n/run",
    {
      onRequest: write,
      schema: {
        operationId: "runTask",
        tags,
        summary: "Start a todo task: its own branch and worktree, and its own agent session working there",
        description:
          "The branch task/<n> and its worktree start from the main tree's last commit. With an agent (the template's OpenCode), the task's title and description are the prompt of a session of its own in the worktree; when it finishes, its work is committed on the branch, the QA gates run, then review. An agent that changed nothing leaves the task in in_progress with emptyDiff. 409 AGENT_NOT_CONFIGURED / AGENT_NOT_RUNNING change nothing.",
        security: SECURED,
        params: TaskParams,
        response: { 202: TaskAccepted, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(202).send({ task: view(await tasks.run(principalOf(req), req.params.id, req.params.n)) }),
  );

  app.post(
    "/projects/:id/tasks/:n/qa",
    {
      onRequest: write,
      schema: {
        operationId: "runTaskQa",
        tags,
        summary: "Run the task's QA gates again, from the first; then review",
        description:
          "Each gate runs in a one-shot container of the template's image (its limits, no network, the gate's timeout) in the task's worktree. Output streams at …/qa/stream. 409 TASK_QA_RUNNING while a run goes on.",
        security: SECURED,
        params: TaskParams,
        response: { 202: TaskAccepted, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(202).send({ task: view(await tasks.qa(principalOf(req), req.params.id, req.params.n)) }),
  );

  app.get(
    "/projects/:id/tasks/:n/qa/stream",
    {
      onRequest: read,
      schema: {
        operationId: "streamTaskQa",
        tags,
        summary: "Server-Sent Events: `qa` (the whole QA results) each time they change, `end` once the run is over",
        security: SECURED,
        params: TaskParams,
        response: { 200: EventStream, ...errors },
      },
    },
    async (req, reply) => {
      const events = await tasks.qaFeed(principalOf(req), req.params.id, req.params.n);
      const stream = openEventStream(req, reply);
      try {
        for await (const e of events(stream.signal)) stream.send(e.event, e.data);
      } catch (err) {
        if (!stream.signal.aborted) req.log.warn({ err }, "QA stream failed");
      } finally {
        stream.close();
      }
    },
  );

  app.post(
    "/projects/:id/tasks/:n/request-changes",
    {
      onRequest: write,
      schema: {
        operationId: "requestTaskChanges",
        tags,
        summary: "Send review comments to the task's agent session as its next prompt; back to in_progress",
        description: "The round (comments and message) is kept in reviewHistory. 409 TASK_NO_AGENT without a session.",
        security: SECURED,
        params: TaskParams,
        body: RequestChangesBody,
        response: { 202: TaskAccepted, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send({ task: view(await tasks.requestChanges(principalOf(req), req.params.id, req.params.n, req.body)) }),
  );

  app.get(
    "/projects/:id/qa-gates",
    {
      onRequest: read,
      schema: {
        operationId: "getQaGates",
        tags,
        summary: "The QA gates a task of this project passes: the project's own, else its template's",
        security: SECURED,
        params: ProjectIdParams,
        response: { 200: QaGatesView, ...errors },
      },
    },
    async (req) => tasks.gates(principalOf(req), req.params.id),
  );

  app.put(
    "/projects/:id/qa-gates",
    {
      onRequest: write,
      schema: {
        operationId: "putQaGates",
        tags,
        summary: "Set the project's own QA gates ({gates: null} goes back to the template's)",
        security: SECURED,
        params: ProjectIdParams,
        body: PutQaGatesBody,
        response: { 200: QaGatesView, ...errors },
      },
    },
    async (req) => tasks.setGates(principalOf(req), req.params.id, req.body.gates),
  );

  app.get(
    "/projects/:id/tasks/:n/diff",
    {
      onRequest: read,
      schema: {
        operationId: "getTaskDiff",
        tags,
        summary: "The task's changes against its base commit: per-file hunks and a summary",
        security: SECURED,
        params: TaskParams,
        response: { 200: Diff, ...errors },
      },
    },
    async (req) => tasks.diff(principalOf(req), req.params.id, req.params.n),
  );

  app.post(
    "/projects/:id/tasks/:n/approve",
    {
      onRequest: write,
      schema: {
        operationId: "approveTask",
        tags,
        summary: "Merge the task's branch into the main tree as one commit (409 TASK_CONFLICT changes nothing)",
        description:
          "409 TASK_QA_FAILED (details.gate) while a required QA gate failed, 409 TASK_QA_RUNNING while gates run, 409 TASK_QA_NOT_RUN while required gates have not run on the task's latest change (in progress, or never checked: `POST …/qa` runs them), unless `override: true` (recorded in reviewHistory, and in qaResults.override when gates ran).",
        security: SECURED,
        params: TaskParams,
        body: ApproveBody.nullish().describe("Optional: the merge commit's message"),
        response: { 200: z.object({ task: Task, commit: Commit }), ...errors },
      },
    },
    async (req) => {
      const r = await tasks.approve(principalOf(req), req.params.id, req.params.n, req.body ?? {});
      return { task: view(r.task), commit: r.commit };
    },
  );

  app.post(
    "/projects/:id/tasks/:n/reject",
    {
      onRequest: write,
      schema: {
        operationId: "rejectTask",
        tags,
        summary: "Reject the task: the main tree untouched, its branch kept for reference",
        security: SECURED,
        params: TaskParams,
        body: RejectBody,
        response: { 200: Task, ...errors },
      },
    },
    async (req) => view(await tasks.reject(principalOf(req), req.params.id, req.params.n, req.body)),
  );

  app.post(
    "/projects/:id/tasks/:n/cancel",
    {
      onRequest: write,
      schema: {
        operationId: "cancelTask",
        tags,
        summary: "Cancel an open task and remove its worktree (its branch stays)",
        security: SECURED,
        params: TaskParams,
        response: { 200: Task, ...errors },
      },
    },
    async (req) => view(await tasks.cancel(principalOf(req), req.params.id, req.params.n)),
  );
};
