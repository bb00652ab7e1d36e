import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { Commit, Diff } from "../../shared/git-schemas.js";
import { ErrorBody, errorResponses, ProjectIdParams as ProjectParams } from "../../shared/schemas.js";
import { CommitBody, CommitParams, CommitResult, DiffQuery, HistoryQuery } from "./history.schemas.js";
import type { HistoryService } from "./history.service.js";

const errors = { ...errorResponses, 403: ErrorBody, 409: ErrorBody, 503: ErrorBody };

export const historyRoutes: FastifyPluginAsyncZod<{ history: HistoryService }> = async (app, { history }) => {
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");

  app.get(
    "/projects/:id/history",
    {
      onRequest: read,
      schema: {
        operationId: "listProjectCommits",
        tags: ["history"],
        summary: "The project's commits, newest first, with the files each changed",
        security: SECURED,
        params: ProjectParams,
        querystring: HistoryQuery,
        response: { 200: z.object({ commits: z.array(Commit), more: z.boolean() }), ...errors },
      },
    },
    async (req) => history.log(principalOf(req), req.params.id, req.query),
  );

  app.post(
    "/projects/:id/history",
    {
      onRequest: write,
      schema: {
        operationId: "commitProjectFiles",
        tags: ["history"],
        summary: "Commit every change in the project's files, authored by you (409 when nothing changed)",
        security: SECURED,
        params: ProjectParams,
        body: CommitBody,
        response: { 201: CommitResult, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ commit: await history.commit(principalOf(req), req.params.id, req.body.message) }),
  );

  app.get(
    "/projects/:id/history/:commit/diff",
    {
      onRequest: read,
      schema: {
        operationId: "getCommitDiff",
        tags: ["history"],
        summary: "What a commit changed (against its first parent): per-file hunks and the unified text",
        security: SECURED,
        params: CommitParams,
        response: { 200: Diff, ...errors },
      },
    },
    async (req) => history.commitDiff(principalOf(req), req.params.id, req.params.commit),
  );

  app.get(
    "/projects/:id/diff",
    {
      onRequest: read,
      schema: {
        operationId: "getProjectDiff",
        tags: ["history"],
        summary: "Differences between two commits; by default the working tree against the last commit",
        security: SECURED,
        params: ProjectParams,
        querystring: DiffQuery,
        response: { 200: Diff, ...errors },
      },
    },
    async (req) => history.diff(principalOf(req), req.params.id, req.query),
  );

  app.post(
    "/projects/:id/history/:commit/restore",
    {
      onRequest: write,
      schema: {
        operationId: "restoreProjectCommit",
        tags: ["history"],
        summary: "Bring the files back to a commit, as a new commit (uncommitted work is committed first)",
        security: SECURED,
        params: CommitParams,
        response: { 201: CommitResult, ...errors },
      },
    },
    async (req, reply) =>
      reply.status(201).send({ commit: await history.restore(principalOf(req), req.params.id, req.params.commit) }),
  );
};
