import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Authenticator } from "../../ports/auth.port.js";
import type { MetricsScrape } from "../../ports/metrics.port.js";
import { unauthenticated } from "../../shared/auth-errors.js";
import { notFound } from "../../shared/errors.js";
import { errorResponses } from "../../shared/schemas.js";

const digest = (s: string) => createHash("sha256").update(s).digest();

/**
 * Whether a scrape may read the metrics: `Authorization: Bearer` with METRICS_TOKEN, or an
 * admin's token. Nothing: 401; anyone else signed in: 404 (as for another user's resource).
 */
export function metricsAccess(authenticator: Authenticator, metricsToken: string | undefined) {
  const expected = metricsToken ? digest(metricsToken) : null;
  return async (authorization: string | undefined) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
    if (!bearer) throw unauthenticated("Send 'Authorization: Bearer <METRICS_TOKEN or an admin's API token>'.");
    if (expected && timingSafeEqual(digest(bearer), expected)) return;
    // METRICS_TOKEN is not an API token: a wrong one is refused like any unknown token (401).
    const principal = await authenticator.authenticate({ authorization, cookies: {} });
    if (!principal) throw unauthenticated();
    if (principal.role !== "admin") throw notFound("ROUTE_NOT_FOUND", "No route for GET /metrics");
  };
}

export const metricsRoutes: FastifyPluginAsyncZod<{
  scrape: MetricsScrape;
  authenticator: Authenticator;
  metricsToken?: string;
}> = async (app, { scrape, authenticator, metricsToken }) => {
  const allowed = metricsAccess(authenticator, metricsToken);
  app.get(
    "/metrics",
    {
      onRequest: async (req) => allowed(req.headers.authorization),
      schema: {
        operationId: "getMetrics",
        tags: ["system"],
        summary: "Prometheus metrics (text exposition format): METRICS_TOKEN or an admin's API token",
        security: [{ bearerAuth: [] }],
        response: {
          200: z.string().describe("Prometheus text exposition format"),
          401: errorResponses[401],
          404: errorResponses[404],
        },
      },
    },
    async (_req, reply) => {
      const { contentType, body } = await scrape();
      return reply.header("cache-control", "no-store").type(contentType).send(body);
    },
  );
};
