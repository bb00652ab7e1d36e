import { randomUUID } from "node:crypto";
import fastifyCookie from "@fastify/cookie";
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from "fastify";
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from "fastify-type-provider-zod";
import { authHooks } from "./http/auth-hooks.js";
import { consoleStatic } from "./http/console-static.js";
import { refuseNulCharacters } from "./http/control-characters.js";
import { frameworkError, registerErrorHandling } from "./http/error-handler.js";
import { agentRoutes } from "./modules/agent/agent.routes.js";
import type { AgentService } from "./modules/agent/agent.service.js";
import type { AgentEventsHub } from "./modules/agent/agent-events.js";
import { agentSettingsRoutes } from "./modules/agent/agent-settings.routes.js";
import type { AgentSettingsService } from "./modules/agent/agent-settings.service.js";
import { auditRoutes } from "./modules/audit/audit.routes.js";
import type { AuditService } from "./modules/audit/audit.service.js";
import { type IdentityDeps, identityRoutes } from "./modules/auth/auth.routes.js";
import { deploymentsRoutes } from "./modules/deployments/deployments.routes.js";
import type { DeploymentsService } from "./modules/deployments/deployments.service.js";
import { edgeRoutes } from "./modules/edge/edge.routes.js";
import type { EdgeAccessService } from "./modules/edge/edge-access.service.js";
import { filesRoutes } from "./modules/files/files.routes.js";
import type { FilesService } from "./modules/files/files.service.js";
import { healthRoutes } from "./modules/health/health.routes.js";
import { healthServiceFactory } from "./modules/health/health.service.js";
import { historyRoutes } from "./modules/history/history.routes.js";
import type { HistoryService } from "./modules/history/history.service.js";
import { metricsRoutes } from "./modules/metrics/metrics.routes.js";
import { projectsRoutes } from "./modules/projects/projects.routes.js";
import type { ProjectsService } from "./modules/projects/projects.service.js";
import { systemRoutes } from "./modules/system/system.routes.js";
import { tasksRoutes } from "./modules/tasks/tasks.routes.js";
import type { TasksService } from "./modules/tasks/tasks.service.js";
import { templatesRoutes } from "./modules/templates/templates.routes.js";
import type { TemplatesService } from "./modules/templates/templates.service.js";
import { traefikRoutes } from "./modules/traefik/traefik.routes.js";
import type { TraefikProviderService } from "./modules/traefik/traefik-provider.service.js";
import { usageRoutes } from "./modules/usage/usage.routes.js";
import type { UsageService } from "./modules/usage/usage.service.js";
import type { ActivityRecorder } from "./ports/activity.port.js";
import type { Authenticator } from "./ports/auth.port.js";
import type { ContainerRuntime } from "./ports/container-runtime.port.js";
import type { DatabaseProbe } from "./ports/database.port.js";
import type { HttpMetrics, MetricsScrape } from "./ports/metrics.port.js";
import type { PublicHosts } from "./shared/project-urls.js";

export interface AppDeps {
  logger: FastifyBaseLogger | false;
  publicUrl: string;
  version: string;
  database: DatabaseProbe;
  containers: ContainerRuntime;
  authenticator: Authenticator;
  /** Access decisions for project hosts (sign-in redirect, Traefik forwardAuth). */
  edgeAccess?: EdgeAccessService;
  /** Sign-in, sessions, /me and API tokens (issue #3). */
  identity?: IdentityDeps;
  /** Traefik's HTTP provider (PROXY_PROVIDER=traefik): the rendered config and the secret it must send. */
  traefik?: { provider: TraefikProviderService; providerSecret: string };
  /** PROXY_PROVIDER=traefik: forwardAuth and its key (composition/edge.ts). */
  forwardAuth?: { key: string };
  bodyLimitBytes?: number;
  /** Whose X-Forwarded-For to believe (TRUST_PROXY); off unless a proxy sits in front. */
  trustProxy?: boolean | number | string;
  /** Templates and projects (with their operations, events and logs). */
  projects?: {
    templates: TemplatesService;
    projects: ProjectsService;
    hosts: PublicHosts;
    /** IDLE_TIMEOUT_SECONDS, shown as the effective timeout of projects without their own. */
    idleDefaultS?: number;
  };
  /** Successful API calls on a project count as its activity (issue #15). */
  activity?: Pick<ActivityRecorder, "touch">;
  /** A project's files and git history (issue #13); needs `projects`. */
  files?: { files: FilesService; history: HistoryService; tasks?: TasksService };
  /** Production deployments: deploy, history, rollback, cancel, build logs (issue #12). */
  deployments?: DeploymentsService;
  /** The built web console (frontend/dist), served at "/" with client-side routes (issue #6). */
  consoleDir?: string;
  /** The projects' agents: model settings, sessions, prompts, permissions, events (issue #11). */
  agent?: { settings: AgentSettingsService; agent: AgentService; events: AgentEventsHub };
  /** GET /api/v1/audit: the audit log read back (issue #16). */
  audit?: AuditService;
  /** GET /metrics and the per-request counters (issue #16); METRICS_TOKEN may read them. */
  metrics?: { http: HttpMetrics; scrape: MetricsScrape; token?: string };
  /** GET /projects/{id}/usage: the edge's per-host counters and Docker stats (composition/usage.ts). */
  usage?: UsageService;
}

const PROJECT_PATH = /^\/api\/v1\/projects\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})(?:[/?]|$)/i;
const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Builds the HTTP application from its dependencies. Performs no I/O of its own. */
export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: false }),
    bodyLimit: deps.bodyLimitBytes ?? 1024 * 1024,
    // Honour a well-formed X-Request-Id from a proxy, otherwise mint one.
    genReqId: (req) => {
      const given = req.headers["x-request-id"];
      return typeof given === "string" && REQUEST_ID.test(given) ? given : randomUUID();
    },
    forceCloseConnections: "idle",
    // Narrowed for Fastify's overloads: a plain union makes TypeScript pick the HTTP/2 one.
    trustProxy: (deps.trustProxy ?? false) as string,
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkError,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  // Hooks on every request are callback-style, not async: each async hook costs the request a
  // promise and a tick, a measurable share of a small request (bench healthz).
  app.addHook("onRequest", (req, reply, done) => {
    reply.header("x-request-id", req.id);
    done();
  });
  registerErrorHandling(app);
  // PostgreSQL cannot store U+0000: refused everywhere before validation, instead of a 500.
  app.addHook("preValidation", (req, _reply, done) => {
    try {
      refuseNulCharacters(req);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  const http = deps.metrics?.http;
  const activity = deps.activity;
  if (http || activity) {
    app.addHook("onResponse", (req, reply, done) => {
      // The route's pattern, never its URL: one series per route, not per project or file.
      http?.request({
        method: req.method,
        route: req.routeOptions.url ?? "unmatched",
        status: reply.statusCode,
        seconds: reply.elapsedTime / 1000,
      });
      // Any successful call under /api/v1/projects/<id>: the project is in use (no write here: aggregated).
      if (activity && reply.statusCode < 400) {
        const id = PROJECT_PATH.exec(req.url)?.[1];
        if (id) activity.touch(id.toLowerCase());
      }
      done();
    });
  }

  await app.register(fastifySwagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "DevSanctum API",
        version: deps.version,
        description: "Self-hosted developer platform: projects from templates, previews, agents and builds on Docker.",
      },
      servers: [{ url: deps.publicUrl }],
      tags: [
        { name: "health", description: "Liveness and readiness" },
        { name: "system", description: "About this installation" },
        { name: "routing", description: "Project hostnames and access to them" },
        { name: "auth", description: "Sign-in, sessions and the signed-in user" },
        { name: "tokens", description: "API tokens for scripts and curl" },
        { name: "templates", description: "What projects are made from" },
        { name: "projects", description: "Projects, their lifecycle, operations, events and logs" },
        { name: "files", description: "A project's files: browse, edit, upload and download" },
        { name: "history", description: "A project's git history: commits, diffs, restore" },
        { name: "tasks", description: "A project's task board: tasks on their own branch and worktree, review, merge" },
        { name: "agent", description: "A project's agent (OpenCode): model settings, sessions, prompts, events" },
        { name: "audit", description: "Who did what: the audit log" },
        { name: "deployments", description: "Production deployments: immutable builds, blue-green switch, rollback" },
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: "http", scheme: "bearer", description: "An API token (dsk_…) or a session access token" },
          cookieAuth: { type: "apiKey", in: "cookie", name: "__Host-ds_access", description: "Console session" },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(fastifySwaggerUi, { routePrefix: "/docs" });

  await app.register(fastifyCookie);
  await app.register(authHooks, { authenticator: deps.authenticator, publicUrl: deps.publicUrl });

  const health = healthServiceFactory({ database: deps.database, containers: deps.containers });
  await app.register(healthRoutes, { health });
  if (deps.metrics) {
    const { scrape, token } = deps.metrics;
    await app.register(metricsRoutes, {
      scrape,
      authenticator: deps.authenticator,
      ...(token ? { metricsToken: token } : {}),
    });
  }
  await app.register(systemRoutes, { prefix: "/api/v1", containers: deps.containers, version: deps.version });

  if (deps.identity) {
    await app.register(identityRoutes, {
      prefix: "/api/v1",
      publicUrl: deps.publicUrl,
      authenticator: deps.authenticator,
      ...deps.identity,
    });
  }

  if (deps.edgeAccess) {
    await app.register(edgeRoutes, {
      access: deps.edgeAccess,
      authenticator: deps.authenticator,
      forwardAuth: deps.forwardAuth ?? null,
    });
  }
  if (deps.traefik) await app.register(traefikRoutes, deps.traefik);

  if (deps.projects) {
    const { templates, ...projects } = deps.projects;
    await app.register(templatesRoutes, { prefix: "/api/v1", templates });
    const fileChanges = deps.files?.files.changes;
    const taskChanges = deps.files?.tasks?.changes;
    await app.register(projectsRoutes, {
      prefix: "/api/v1",
      ...projects,
      ...(fileChanges ? { fileChanges } : {}),
      ...(taskChanges ? { taskChanges } : {}),
    });
    if (deps.files) {
      await app.register(filesRoutes, { prefix: "/api/v1", files: deps.files.files });
      await app.register(historyRoutes, { prefix: "/api/v1", history: deps.files.history });
      if (deps.files.tasks) await app.register(tasksRoutes, { prefix: "/api/v1", tasks: deps.files.tasks });
    }
  }

  if (deps.usage) await app.register(usageRoutes, { prefix: "/api/v1", usage: deps.usage });

  if (deps.agent) {
    const { settings, agent, events } = deps.agent;
    await app.register(agentSettingsRoutes, { prefix: "/api/v1", settings, agent });
    await app.register(agentRoutes, { prefix: "/api/v1", agent, events });
  }
  if (deps.deployments) await app.register(deploymentsRoutes, { prefix: "/api/v1", deployments: deps.deployments });

  if (deps.audit) await app.register(auditRoutes, { prefix: "/api/v1", audit: deps.audit });

  if (deps.consoleDir) await app.register(consoleStatic, { root: deps.consoleDir });

  return app;
}
