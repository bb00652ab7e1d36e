import type { FastifyReply } from "fastify";
import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { Authenticator } from "../../ports/auth.port.js";
import { ErrorBody } from "../../shared/schemas.js";
import { type EdgeAccessService, type EdgeDecision, withoutCookie } from "./edge-access.service.js";
import { renderEdgePage } from "./edge-pages.js";

// Control-plane side of private project hosts: the sign-in redirect that mints a per-host
// code, and the forwardAuth endpoint Traefik asks before every request to a project host.

export const edgeRoutes: FastifyPluginAsyncZod<{ access: EdgeAccessService; authenticator: Authenticator }> = async (
  app,
  { access, authenticator },
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

  app.get(
    "/internal/forward-auth",
    {
      schema: { hide: true },
      logLevel: "warn",
    },
    async (req, reply) => {
      const h = req.headers;
      const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
      const decision = await access.decide({
        scheme: one(h["x-forwarded-proto"]) === "http" ? "http" : "https",
        host: one(h["x-forwarded-host"]) ?? "",
        url: one(h["x-forwarded-uri"]) ?? "/",
        method: one(h["x-forwarded-method"]) ?? "GET",
        authorization: h.authorization,
        cookies: req.cookies,
      });
      reply.header("cache-control", "no-store");
      if (decision.kind !== "proxy") return sendEdgeDecision(reply, decision);
      // Traefik deletes these from the upstream request and copies them from this answer
      // (authResponseHeaders): the OpenCode password replaces the caller's token, and the
      // platform's host cookie is taken out of Cookie.
      for (const [k, v] of Object.entries(decision.headers)) reply.header(k, v);
      const cookie = withoutCookie(one(h.cookie), decision.stripCookie);
      if (cookie) reply.header("cookie", cookie);
      return reply.status(200).send();
    },
  );
};

/** Answers an edge decision that does not reach the project: a redirect, a page, or a 401. */
export function sendEdgeDecision(reply: FastifyReply, decision: Exclude<EdgeDecision, { kind: "proxy" }>) {
  reply.header("cache-control", "no-store");
  switch (decision.kind) {
    case "redirect":
      if (decision.setCookie) {
        const c = decision.setCookie;
        reply.setCookie(c.name, c.value, {
          path: "/",
          httpOnly: true,
          sameSite: "lax",
          secure: c.secure,
          maxAge: c.maxAgeS,
        });
      }
      return reply.redirect(decision.location, 302);
    case "page":
      return reply.status(decision.page.status).type("text/html; charset=utf-8").send(renderEdgePage(decision.page));
    case "unauthorized":
      return reply
        .status(401)
        .send({ error: { code: "UNAUTHENTICATED", message: decision.message, requestId: String(reply.request.id) } });
  }
}
