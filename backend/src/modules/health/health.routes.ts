import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { HealthService } from "./health.service.js";

const Check = z.object({
  status: z.enum(["ok", "failed"]),
  latencyMs: z.number(),
  error: z.string().optional().describe("Why the check failed and what to do"),
});
const Readiness = z.object({
  status: z.enum(["ready", "not_ready"]),
  checks: z.object({ database: Check, docker: Check }),
});

export const healthRoutes: FastifyPluginAsyncZod<{ health: HealthService }> = async (app, { health }) => {
  app.get(
    "/healthz",
    {
      schema: {
        operationId: "getHealth",
        tags: ["health"],
        summary: "Liveness: the process is up",
        response: { 200: z.object({ status: z.literal("ok") }) },
      },
      logLevel: "warn",
    },
    async () => ({ status: "ok" as const }),
  );

  app.get(
    "/readyz",
    {
      schema: {
        operationId: "getReadiness",
        tags: ["health"],
        summary: "Readiness: the database and the Docker engine answer",
        response: { 200: Readiness, 503: Readiness },
      },
      logLevel: "warn",
    },
    async (_req, reply) => {
      const { ready, checks } = await health.readiness();
      return reply.status(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
    },
  );
};
