import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { principalOf, SECURED } from "../../http/auth-hooks.js";
import { errorResponses, ProjectIdParams } from "../../shared/schemas.js";
import { ProjectUsage } from "./usage.schemas.js";
import type { UsageService } from "./usage.service.js";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export const usageRoutes: FastifyPluginAsyncZod<{ usage: UsageService }> = async (app, { usage }) => {
  app.get(
    "/projects/:id/usage",
    {
      onRequest: app.requireAuth("projects:read"),
      schema: {
        operationId: "getProjectUsage",
        tags: ["projects"],
        summary: "Traffic per host and CPU and memory per container of a project",
        description:
          "Requests, bytes and last activity of each host as the builtin edge counted them (in memory, per control-plane process since `since`; with Traefik only OpenCode hosts pass the builtin edge), and one Docker stats sample of each container (about a second).",
        security: SECURED,
        params: ProjectIdParams,
        response: { 200: ProjectUsage, ...errorResponses },
      },
    },
    async (req) => {
      const u = await usage.usage(principalOf(req), req.params.id);
      return {
        since: u.since.toISOString(),
        sampledAt: u.sampledAt.toISOString(),
        hosts: u.hosts.map(({ lastRequestAt, ...h }) => ({ ...h, lastActivityAt: iso(lastRequestAt) })),
        containers: u.containers,
      };
    },
  );
};
