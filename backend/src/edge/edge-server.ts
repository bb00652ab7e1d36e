import fastifyCookie from "@fastify/cookie";
import fastifyHttpProxy from "@fastify/http-proxy";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import {
  type EdgeAccessService,
  type EdgeDecision,
  type SetCookie,
  withoutCookie,
} from "../modules/edge/edge-access.service.js";
import { type EdgePage, renderEdgePage } from "../modules/edge/edge-pages.js";

// The builtin edge: the embedded default's reverse proxy. Routes by Host header to the
// project's container endpoint with @fastify/http-proxy (undici for HTTP, ws for WebSocket
// upgrades such as Vite's HMR), after the same access decision Traefik's forwardAuth uses.

declare module "fastify" {
  interface FastifyRequest {
    edge: Extract<EdgeDecision, { kind: "proxy" }> | null;
  }
}

export interface EdgeDeps {
  access: EdgeAccessService;
  logger: FastifyBaseLogger | false;
  https?: { cert: string | Buffer; key: string | Buffer };
}

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"];

function sendPage(reply: FastifyReply, page: EdgePage) {
  return reply
    .status(page.status)
    .header("cache-control", "no-store")
    .type("text/html; charset=utf-8")
    .send(renderEdgePage(page));
}

// The console shows the preview in an iframe: a cross-site context, where browsers refuse to
// store SameSite=Lax cookies and the host's sign-in would loop. A partitioned SameSite=None
// cookie works there and is kept apart per embedding site. It must be Secure, which browsers
// accept over https and on http://*.localhost (a secure context); plain http elsewhere keeps Lax.
const isLocalhost = (hostname: string) => hostname === "localhost" || hostname.endsWith(".localhost");

export function cookieOptions(c: SetCookie, hostname: string) {
  const base = { path: "/", httpOnly: true, maxAge: c.maxAgeS };
  if (c.secure || isLocalhost(hostname)) return { ...base, sameSite: "none" as const, secure: true, partitioned: true };
  return { ...base, sameSite: "lax" as const, secure: false };
}

/** Request headers for the upstream: our credentials removed, forwarding headers added. */
function upstreamHeaders(headers: Record<string, unknown>, req: FastifyRequest, scheme: string) {
  const decision = req.edge;
  const out: Record<string, unknown> = { ...headers };
  for (const h of HOP_BY_HOP) if (h !== "upgrade" && h !== "connection") delete out[h];
  // Never hand the platform's credentials to user code.
  delete out.authorization;
  if (decision && typeof out.cookie === "string") {
    const kept = withoutCookie(out.cookie, decision.stripCookie);
    if (kept) out.cookie = kept;
    else delete out.cookie;
  }
  const prior = typeof headers["x-forwarded-for"] === "string" ? `${headers["x-forwarded-for"]}, ` : "";
  out["x-forwarded-for"] = `${prior}${req.ip}`;
  out["x-forwarded-proto"] = scheme;
  out["x-forwarded-host"] = req.headers.host ?? "";
  Object.assign(out, decision?.headers ?? {});
  return out;
}

export async function buildEdge(deps: EdgeDeps): Promise<FastifyInstance> {
  const scheme = deps.https ? "https" : "http";
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger.child({ component: "edge", scheme }) } : { logger: false }),
    ...(deps.https ? { https: deps.https } : {}),
    // Bodies stream through to the upstream untouched.
    bodyLimit: 100 * 1024 * 1024,
    forceCloseConnections: true,
    // Per-request lines would double every proxied request in the log.
    logController: new LogController({ disableRequestLogging: true }),
  });
  await app.register(fastifyCookie);
  app.decorateRequest("edge", null);

  // Every request, WebSocket upgrades included, passes this decision before the proxy.
  app.addHook("onRequest", async (req, reply) => {
    const decision = await deps.access.decide({
      scheme,
      host: req.headers.host ?? "",
      url: req.url,
      method: req.method,
      authorization: req.headers.authorization,
      cookies: req.cookies,
    });
    switch (decision.kind) {
      case "proxy":
        req.edge = decision;
        return;
      case "redirect":
        if (decision.setCookie) {
          reply.setCookie(
            decision.setCookie.name,
            decision.setCookie.value,
            cookieOptions(decision.setCookie, req.hostname),
          );
        }
        return reply.header("cache-control", "no-store").redirect(decision.location, 302);
      case "page":
        return sendPage(reply, decision.page);
      case "unauthorized":
        return reply
          .status(401)
          .header("www-authenticate", 'Bearer realm="devsanctum"')
          .send({ error: { code: "UNAUTHENTICATED", message: decision.message, requestId: String(req.id) } });
    }
  });

  // Accept every content type as a stream: the edge does not parse bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

  await app.register(fastifyHttpProxy, {
    upstream: "",
    websocket: true,
    // undici with keep-alive pools per upstream origin: without it every proxied request
    // opens a fresh TCP connection (measured: 3x less throughput, see bench/edge).
    undici: { connections: 128, keepAliveTimeout: 30_000 },
    replyOptions: {
      getUpstream: (req) => (req as FastifyRequest).edge?.upstream ?? "http://127.0.0.1:9",
      rewriteRequestHeaders: (req, headers) =>
        upstreamHeaders(headers as Record<string, unknown>, req as unknown as FastifyRequest, scheme) as typeof headers,
      onError: (reply, { error }) => {
        const req = reply.request;
        req.log.warn({ err: error, upstream: req.edge?.upstream }, "upstream did not answer");
        const name = req.edge?.route.project.name ?? "The project";
        sendPage(reply as FastifyReply, {
          status: 502,
          title: `${name} is not answering`,
          message:
            "Its server is running but refused or dropped the connection. It may be restarting: reload in a moment.",
        });
      },
    },
    wsClientOptions: {
      // The ws client starts from an empty header set: carry over cookies, then the same rewrite.
      // Only when there are some: ws refuses a header whose value is undefined (token or public access).
      rewriteRequestHeaders: (headers: Record<string, unknown>, req: FastifyRequest) =>
        upstreamHeaders(req.headers.cookie ? { ...headers, cookie: req.headers.cookie } : headers, req, scheme),
    } as object,
  });

  return app;
}
