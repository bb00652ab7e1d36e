import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { openEventStream } from "../../http/sse.js";
import { mapAsync, mergeAsync } from "../../shared/merge-async.js";
import { Operation, toOperationDto } from "../../shared/operations.js";
import type { PublicHosts } from "../../shared/project-urls.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import {
  CreateProjectBody,
  DeleteQuery,
  EventStream,
  LogsQuery,
  Project,
  ProjectParams,
  ProjectWithOperation,
  UpdateProjectBody,
} from "./projects.schemas.js";
import { type ProjectEvent, type ProjectsService, toProjectDto } from "./projects.service.js";

export interface ProjectsRoutesOptions {
  projects: ProjectsService;
  hosts: PublicHosts;
  /** IDLE_TIMEOUT_SECONDS: shown as the effective timeout of projects without their own. */
  idleDefaultS?: number;
  /** Changed file paths by anyone (issue #13), relayed on the events stream as `files.changed`. */
  fileChanges?: (projectId: string, signal: AbortSignal) => AsyncIterable<string[]>;
  /** Tasks whose row changed (issue #14), relayed as `task.changed` {n, status}; status null: deleted. */
  taskChanges?: (projectId: string, signal: AbortSignal) => AsyncIterable<{ n: number; status: string | null }>;
}

type Event = ProjectEvent | { type: "files"; paths: string[] } | { type: "task"; n: number; status: string | null };

const errors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody };

export const projectsRoutes: FastifyPluginAsyncZod<ProjectsRoutesOptions> = async (app, opts) => {
  const { projects, hosts } = opts;
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");
  const dto = (p: Parameters<typeof toProjectDto>[0]) => toProjectDto(p, hosts, opts.idleDefaultS);
  const accepted = (r: Awaited<ReturnType<ProjectsService["start"]>>) => ({
    project: dto(r.project),
    operation: toOperationDto(r.operation),
  });

  app.post(
    "/projects",
    {
      onRequest: write,
      schema: {
        operationId: "createProject",
        tags: ["projects"],
        summary: "Create a project from a template; its containers start in the background",
        security: SECURED,
        body: CreateProjectBody,
        response: { 202: ProjectWithOperation, ...errors, 413: ErrorBody },
      },
    },
    async (req, reply) => reply.status(202).send(accepted(await projects.create(principalOf(req), req.body))),
  );

  app.get(
    "/projects",
    {
      onRequest: read,
      schema: {
        operationId: "listProjects",
        tags: ["projects"],
        summary: "Your projects (administrators: every project)",
        security: SECURED,
        response: { 200: z.object({ projects: z.array(Project) }), ...errors },
      },
    },
    async (req) => ({ projects: (await projects.list(principalOf(req))).map(dto) }),
  );

  app.get(
    "/projects/:id",
    {
      onRequest: read,
      schema: {
        operationId: "getProject",
        tags: ["projects"],
        summary: "One project",
        security: SECURED,
        params: ProjectParams,
        response: { 200: Project, ...errors },
      },
    },
    async (req) => dto(await projects.get(principalOf(req), req.params.id)),
  );

  app.patch(
    "/projects/:id",
    {
      onRequest: write,
      schema: {
        operationId: "updateProject",
        tags: ["projects"],
        summary: "Rename a project or change its idle settings (the hostnames stay)",
        security: SECURED,
        params: ProjectParams,
        body: UpdateProjectBody,
        response: { 200: Project, ...errors },
      },
    },
    async (req) => dto(await projects.update(principalOf(req), req.params.id, req.body)),
  );

  app.post(
    "/projects/:id/presence",
    {
      onRequest: read,
      schema: {
        operationId: "projectPresence",
        tags: ["projects"],
        summary: "Heartbeat of an open project page: keeps the project awake",
        description: "The console sends it every 30 s while a project page is open. Counts as activity; no body.",
        security: SECURED,
        params: ProjectParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      await projects.presence(principalOf(req), req.params.id);
      return reply.status(204).send(null);
    },
  );

  for (const action of ["start", "stop", "restart"] as const) {
    app.post(
      `/projects/:id/${action}`,
      {
        onRequest: write,
        schema: {
          operationId: `${action}Project`,
          tags: ["projects"],
          summary: `${action[0]?.toUpperCase()}${action.slice(1)} a project's containers (asynchronous)`,
          security: SECURED,
          params: ProjectParams,
          response: { 202: ProjectWithOperation, ...errors },
        },
      },
      async (req, reply) => reply.status(202).send(accepted(await projects[action](principalOf(req), req.params.id))),
    );
  }

  app.delete(
    "/projects/:id",
    {
      onRequest: write,
      schema: {
        operationId: "deleteProject",
        tags: ["projects"],
        summary: "Delete a project: containers, network, routes, and its volume unless keepData",
        security: SECURED,
        params: ProjectParams,
        querystring: DeleteQuery,
        response: { 202: ProjectWithOperation, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(202).send(accepted(await projects.remove(principalOf(req), req.params.id, req.query))),
  );

  app.get(
    "/projects/:id/operations",
    {
      onRequest: read,
      schema: {
        operationId: "listProjectOperations",
        tags: ["projects"],
        summary: "A project's operations, newest first",
        security: SECURED,
        params: ProjectParams,
        response: { 200: z.object({ operations: z.array(Operation) }), ...errors },
      },
    },
    async (req) => ({
      operations: (await projects.operations(principalOf(req), req.params.id)).map(toOperationDto),
    }),
  );

  app.get(
    "/operations/:id",
    {
      onRequest: read,
      schema: {
        operationId: "getOperation",
        tags: ["projects"],
        summary: "An operation's status, steps and progress",
        security: SECURED,
        params: ProjectParams,
        response: { 200: Operation, ...errors },
      },
    },
    async (req) => toOperationDto(await projects.operation(principalOf(req), req.params.id)),
  );

  app.get(
    "/projects/:id/events",
    {
      onRequest: read,
      schema: {
        operationId: "streamProjectEvents",
        tags: ["projects"],
        summary:
          "Server-Sent Events: `project` on every status change, `operation` on progress, `files.changed`, `task.changed`",
        description:
          "The first event is the current project. `files.changed` `{paths}` follows a change to the project's files by anyone, within a second. `task.changed` `{n, status}` follows every change of a task (status null: deleted). Heartbeat comments every 15 s.",
        security: SECURED,
        params: ProjectParams,
        response: { 200: EventStream, ...errors },
      },
    },
    async (req, reply) => {
      const aborter = new AbortController();
      const events = await projects.watch(principalOf(req), req.params.id, aborter.signal);
      // Access is checked above; file changes (issue #13) join the same stream.
      const files = opts.fileChanges?.(req.params.id, aborter.signal);
      const taskChanges = opts.taskChanges?.(req.params.id, aborter.signal);
      const more: AsyncIterable<Event>[] = [];
      if (files) more.push(mapAsync(files, (paths): Event => ({ type: "files", paths })));
      if (taskChanges) more.push(mapAsync(taskChanges, (t): Event => ({ type: "task", ...t })));
      const all = more.length ? mergeAsync<Event>(events, ...more) : events;
      const stream = openEventStream(req, reply);
      stream.signal.addEventListener("abort", () => aborter.abort());
      try {
        for await (const e of all) {
          if (e.type === "project") stream.send("project", dto(e.project));
          else if (e.type === "operation") stream.send("operation", toOperationDto(e.operation));
          else if (e.type === "files") stream.send("files.changed", { paths: e.paths });
          else stream.send("task.changed", { n: e.n, status: e.status });
        }
      } catch (err) {
        if (!aborter.signal.aborted) req.log.warn({ err }, "events stream failed");
      } finally {
        stream.close();
      }
    },
  );

  app.get(
    "/projects/:id/logs",
    {
      onRequest: read,
      schema: {
        operationId: "streamProjectLogs",
        tags: ["projects"],
        summary: "Server-Sent Events of a service's output: `log` per line, `end` when the container stops",
        security: SECURED,
        params: ProjectParams,
        querystring: LogsQuery,
        response: { 200: EventStream, ...errors },
      },
    },
    async (req, reply) => {
      const aborter = new AbortController();
      const lines = await projects.logs(principalOf(req), req.params.id, { ...req.query, signal: aborter.signal });
      const stream = openEventStream(req, reply);
      stream.signal.addEventListener("abort", () => aborter.abort());
      try {
        for await (const line of lines) stream.send("log", line);
        stream.send("end", {});
      } catch (err) {
        if (!aborter.signal.aborted) req.log.warn({ err }, "log stream failed");
      } finally {
        stream.close();
      }
    },
  );
};
