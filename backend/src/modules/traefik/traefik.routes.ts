import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { sameSecret } from "../../shared/same-secret.js";
import { ErrorBody } from "../../shared/schemas.js";
import { acceptsGzip, etagMatches, type TraefikProviderService } from "./traefik-provider.service.js";

// Traefik's HTTP provider: the dynamic configuration it polls. Hidden from /docs: they are a contract
// with Traefik (its HTTP provider format, its forwarded headers), not an API for people.

export const PROVIDER_TOKEN_HEADER = "x-devsanctum-provider-token";

export const traefikRoutes: FastifyPluginAsyncZod<{
  provider: TraefikProviderService;
  providerSecret: string;
}> = async (app, { provider, providerSecret }) => {
  app.get(
    "/internal/traefik/dynamic",
    {
      schema: {
        hide: true,
        operationId: "getTraefikDynamicConfiguration",
        tags: ["routing"],
        headers: z.object({
          [PROVIDER_TOKEN_HEADER]: z.string().optional(),
          "if-none-match": z.string().optional(),
          "accept-encoding": z.string().optional(),
        }),
        response: {
          // Sent as ready-made bytes (JSON, or gzip of it): never serialized per request.
          200: z.unknown().describe("Traefik v3 dynamic configuration (HTTP provider)"),
          304: z.null().describe("Unchanged since the ETag in If-None-Match"),
          401: ErrorBody,
        },
      },
      logLevel: "warn",
    },
    async (req, reply) => {
      reply.header("cache-control", "no-store");
      if (!sameSecret(req.headers[PROVIDER_TOKEN_HEADER], providerSecret)) {
        return reply
          .status(401)
          .send({ error: { code: "UNAUTHENTICATED", message: "Not allowed.", requestId: req.id } });
      }
      const doc = await provider.current();
      // Traefik's Go client asks for gzip by itself: 5 MB of JSON for 10,000 routes is ~300 KB.
      const gzipped = acceptsGzip(req.headers["accept-encoding"]) ? doc.gzipped : null;
      const gzip = gzipped !== null;
      const etag = gzip ? doc.gzipEtag : doc.etag;
      reply.header("etag", etag).header("vary", "accept-encoding");
      // No body and no Content-Length: a 304 with "null" serialized makes clients wait for 4 bytes.
      if (etagMatches(req.headers["if-none-match"], etag))
        return reply
          .status(304)
          .serializer(() => "")
          .send(null);
      if (gzip) reply.header("content-encoding", "gzip");
      return reply
        .status(200)
        .type("application/json; charset=utf-8")
        .send(gzipped ?? doc.body);
    },
  );
};
