import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { openEventStream } from "../../http/sse.js";
import { toOperationDto } from "../../shared/operations.js";
import { ErrorBody, errorResponses } from "../../shared/schemas.js";
import {
  Deployment,
  DeploymentAccepted,
  DeploymentConflict,
  DeploymentList,
  DeploymentParams,
  DeploymentWithLog,
  EventStream,
  ProjectParams,
} from "./deployments.schemas.js";
import type { DeploymentsService } from "./deployments.service.js";

export interface DeploymentsRoutesOptions {
  deployments: DeploymentsService;
}

const errors = { ...errorResponses, 403: ErrorBody };
const ONE_AT_A_TIME =
  "One deployment at a time per project: while one is queued, building or starting, this answers 409 DEPLOYMENT_IN_PROGRESS with that deployment in `error.details.deployment`. A project being deleted answers 409 PROJECT_DELETING.";

export const deploymentsRoutes: FastifyPluginAsyncZod<DeploymentsRoutesOptions> = async (app, opts) => {
  const { deployments } = opts;
  const read = app.requireAuth("projects:read");
  const write = app.requireAuth("projects:write");
  const tags = ["deployments"];

  app.post(
    "/projects/:id/deployments",
    {
      onRequest: write,
      schema: {
        operationId: "createDeployment",
        tags,
        summary: "Deploy: snapshot the project's files now, build them, switch the public host once healthy",
        description: `The snapshot is taken before the answer, so edits made after it are not in this deployment. The build runs in a one-shot container of the template's production service (its limits, a build timeout); its output streams at …/deployments/{number}/logs. The new container must pass its health check before the production route points at it; the previous deployment keeps running for DEPLOY_KEEP_WARM_S. ${ONE_AT_A_TIME}`,
        security: SECURED,
        params: ProjectParams,
        response: { 202: DeploymentAccepted, ...errors, 409: DeploymentConflict },
      },
    },
    async (req, reply) => {
      const r = await deployments.deploy(principalOf(req), req.params.id);
      return reply.status(202).send({ deployment: r.deployment, operation: toOperationDto(r.operation) });
    },
  );

  app.get(
    "/projects/:id/deployments",
    {
      onRequest: read,
      schema: {
        operationId: "listDeployments",
        tags,
        summary: "A project's deployments, newest first, and the disk they use",
        security: SECURED,
        params: ProjectParams,
        response: { 200: DeploymentList, ...errors },
      },
    },
    async (req) => deployments.list(principalOf(req), req.params.id),
  );

  app.get(
    "/projects/:id/deployments/:number",
    {
      onRequest: read,
      schema: {
        operationId: "getDeployment",
        tags,
        summary: "One deployment, with its build and start log",
        security: SECURED,
        params: DeploymentParams,
        response: { 200: z.object({ deployment: DeploymentWithLog }), ...errors },
      },
    },
    async (req) => ({ deployment: await deployments.get(principalOf(req), req.params.id, req.params.number) }),
  );

  app.post(
    "/projects/:id/deployments/:number/rollback",
    {
      onRequest: write,
      schema: {
        operationId: "rollbackDeployment",
        tags,
        summary: "Serve an earlier deployment again (recorded as a new deployment of kind rollback)",
        description: `A warm deployment (superseded less than DEPLOY_KEEP_WARM_S ago) is a route switch; a stopped one is started and health-checked first. Only a superseded deployment can be rolled back to: the live one is 409 DEPLOYMENT_ALREADY_LIVE, a failed or cancelled one 409 DEPLOYMENT_NOT_ROLLBACKABLE. ${ONE_AT_A_TIME}`,
        security: SECURED,
        params: DeploymentParams,
        response: { 202: DeploymentAccepted, ...errors, 409: DeploymentConflict },
      },
    },
    async (req, reply) => {
      const r = await deployments.rollback(principalOf(req), req.params.id, req.params.number);
      return reply.status(202).send({ deployment: r.deployment, operation: toOperationDto(r.operation) });
    },
  );

  app.post(
    "/projects/:id/deployments/:number/cancel",
    {
      onRequest: write,
      schema: {
        operationId: "cancelDeployment",
        tags,
        summary: "Stop a deployment in progress (the live one keeps serving)",
        description: "It ends `cancelled` within a second or so; a finished one answers 409 DEPLOYMENT_FINISHED.",
        security: SECURED,
        params: DeploymentParams,
        response: { 202: z.object({ deployment: Deployment }), ...errors, 409: ErrorBody },
      },
    },
    async (req, reply) =>
      reply
        .status(202)
        .send({ deployment: await deployments.cancel(principalOf(req), req.params.id, req.params.number) }),
  );

  app.get(
    "/projects/:id/deployments/:number/logs",
    {
      onRequest: read,
      schema: {
        operationId: "streamDeploymentLogs",
        tags,
        summary: "Server-Sent Events: `deployment` on every change, `log` per line, `end` once it is finished",
        description:
          "The stored lines come first, then new ones as the build prints them. `log` is `{line}`, or `{omitted: n}` where a long log dropped lines. A finished deployment sends its whole log and `end` at once.",
        security: SECURED,
        params: DeploymentParams,
        response: { 200: EventStream, ...errors },
      },
    },
    async (req, reply) => {
      const events = await deployments.feed(principalOf(req), req.params.id, req.params.number);
      const stream = openEventStream(req, reply);
      try {
        for await (const e of events(stream.signal)) stream.send(e.event, e.data);
      } catch (err) {
        if (!stream.signal.aborted) req.log.warn({ err }, "deployment log stream failed");
      } finally {
        stream.close();
      }
    },
  );
};
