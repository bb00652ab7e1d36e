import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Authenticator } from "../../ports/auth.port.js";
import { FORWARD_AUTH_PATH, OFFLINE_PAGE_PATH } from "../../shared/edge-paths.js";
import { sameSecret } from "../../shared/same-secret.js";
import { ErrorBody } from "../../shared/schemas.js";
import type { EdgeAccessService } from "./edge-access.service.js";
import { forwardedEdgeRequest, sendForwardAuthAllow, sendRefusal } from "./edge-reply.js";

// Control-plane side of private project hosts: the sign-in redirect that mints a per-host
// code, and the forwardAuth endpoint Traefik asks before every request to a project host.

export interface EdgeRoutesOptions {
  access: EdgeAccessService;
  authenticator: Authenticator;
  /**
   * PROXY_PROVIDER=traefik: serve forwardAuth (to callers that send this key in its query, as
   * Traefik does from the rendered address) and the offline page Traefik routes to.
   */
  forwardAuth: { key: string } | null;
}

export const edgeRoutes: FastifyPluginAsyncZod<EdgeRoutesOptions> = async (
  app,
  { access, authenticator, forwardAuth },
) => {
  app.get(
    "/api/v1/app-auth/authorize",
    {
      schema: {
        operationId: "authorizeAppHost",
        tags: ["routing"],
        summary: "Sign a browser in to one project host (redirects back with a one-time code)",
        description:
          "Project hosts never share the console's cookie. A browser without a session on a private host is sent here; a signed-in owner is redirected back to the host with a 60-second code the edge exchanges for a cookie valid on that host only.",
        querystring: z.object({
          origin: z.string().max(300).describe("The project host's origin, e.g. http://app--preview.localhost:8080"),
          next: z.string().max(2000).default("/").describe("Path to return to on that host"),
        }),
        response: { 302: z.null().describe("Redirect to the host, or to sign-in"), 400: ErrorBody, 404: ErrorBody },
        security: [{ cookieAuth: [] }],
      },
    },
    async (req, reply) => {
      const principal = await authenticator
        .authenticate({ authorization: req.headers.authorization, cookies: req.cookies })
        .catch(() => null);
      const { location } = await access.authorize({
        origin: req.query.origin,
        next: req.query.next,
        principal,
        selfUrl: req.url,
      });
      return reply.header("cache-control", "no-store").redirect(location, 302);
    },
  );

  if (!forwardAuth) return;

  app.get(
    FORWARD_AUTH_PATH,
    {
      schema: { hide: true },
      logLevel: "warn",
    },
    async (req, reply) => {
      // Project code shares networks with the control plane in compose: only Traefik may ask.
      if (!sameSecret((req.query as { key?: unknown }).key, forwardAuth.key)) {
        return reply
          .status(401)
          .header("cache-control", "no-store")
          .send({ error: { code: "UNAUTHENTICATED", message: "Not allowed.", requestId: req.id } });
      }
      const edgeRequest = forwardedEdgeRequest(req, "forward-auth");
      const decision = await access.decide(edgeRequest);
      if (decision.kind !== "proxy") return sendRefusal(reply, decision, edgeRequest.host);
      return sendForwardAuthAllow(reply, decision, req.headers.cookie, edgeRequest.host);
    },
  );

  // A project host whose service is not running is routed here (replacePath keeps the original
  // path in X-Replaced-Path): the same decision and page as on the builtin edge.
  app.all(OFFLINE_PAGE_PATH, { schema: { hide: true }, logLevel: "warn" }, async (req, reply) => {
    const edgeRequest = forwardedEdgeRequest(req, "offline-page");
    const decision = await access.decide(edgeRequest);
    if (decision.kind !== "proxy") return sendRefusal(reply, decision, edgeRequest.host);
    // It came up after Traefik last polled: the next poll routes it; ask the browser to retry.
    return sendRefusal(
      reply,
      {
        kind: "page",
        page: {
          status: 503,
          title: `${decision.route.project.name} is starting`,
          message: "It is up and being connected. This page reloads in a moment.",
          refreshS: 2,
        },
      },
      edgeRequest.host,
    );
  });
};
