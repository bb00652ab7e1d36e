import fastifyCookie from "@fastify/cookie";
import fastifyHttpProxy from "@fastify/http-proxy";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from "fastify";
import { type EdgeAccessService, type EdgeDecision, hostnameOf } from "../modules/edge/edge-access.service.js";
import { cookieOptions, sendRefusal } from "../modules/edge/edge-reply.js";
import type { ActivityRecorder, ProjectWaker } from "../ports/activity.port.js";
import type { EdgeRoute } from "../ports/edge.port.js";
import type { EdgeMetrics } from "../ports/metrics.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { EdgeUsageRecorder } from "../ports/usage.port.js";
import { withoutPlatformCookies } from "../shared/platform-cookies.js";
import { edgeMetricsHooks, edgeWebsocketHooks } from "./edge-metrics.js";

// The builtin edge: the embedded default's reverse proxy. Routes by Host header to the
// project's container endpoint with @fastify/http-proxy (undici for HTTP, ws for WebSocket
// upgrades such as Vite's HMR), after the same access decision Traefik's forwardAuth uses.

declare module "fastify" {
  interface FastifyRequest {
    edge: Extract<EdgeDecision, { kind: "proxy" }> | null;
    /** The scheme the browser used (Traefik's, behind Traefik). */
    edgeScheme: "http" | "https";
  }
}

export interface EdgeDeps {
  access: EdgeAccessService;
  logger: FastifyBaseLogger | false;
  https?: { cert: string | Buffer; key: string | Buffer };
  /**
   * Behind Traefik (which forwards OpenCode hosts here): the scheme the browser used is
   * Traefik's X-Forwarded-Proto; this listener is reachable only on the internal network.
   */
  behindProxy?: boolean;
  /** How project services are reached (the service gate, or the project networks). */
  connector: Pick<ServiceConnector, "dispatcher" | "createConnection">;
  /** Idle stop (issue #15): requests and open WebSockets count as activity; a sleeping project wakes. */
  activity?: ActivityRecorder;
  wake?: { waker: ProjectWaker; holdMs: number; browserHoldMs?: number };
  /** Requests, durations, bytes and open WebSockets (GET /metrics). */
  metrics?: EdgeMetrics;
  /** Per-project requests and bytes by host, in memory (GET /projects/{id}/usage). */
  usage?: EdgeUsageRecorder;
}

/** A person's page load (not a script, not a sub-resource): it gets the waking page, not a long hold. */
const isNavigation = (req: FastifyRequest) =>
  req.method === "GET" &&
  (req.headers["sec-fetch-mode"] === "navigate" ||
    (req.headers["sec-fetch-mode"] === undefined && /text\/html/.test(req.headers.accept ?? "")));

/** Production traffic keeps a project awake only where production sleeps with it. */
const countsAsActivity = (route: EdgeRoute) => route.kind !== "production" || route.project.productionIdle;

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"];

/** Request headers for the upstream: our credentials removed, forwarding headers added. */
function upstreamHeaders(headers: Record<string, unknown>, req: FastifyRequest) {
  const decision = req.edge;
  const out: Record<string, unknown> = { ...headers };
  for (const h of HOP_BY_HOP) if (h !== "upgrade" && h !== "connection") delete out[h];
  // Never hand the platform's credentials to user code.
  delete out.authorization;
  if (decision && typeof out.cookie === "string") {
    const kept = withoutPlatformCookies(out.cookie);
    if (kept) out.cookie = kept;
    else delete out.cookie;
  }
  const prior = typeof headers["x-forwarded-for"] === "string" ? `${headers["x-forwarded-for"]}, ` : "";
  out["x-forwarded-for"] = `${prior}${req.ip}`;
  out["x-forwarded-proto"] = req.edgeScheme;
  out["x-forwarded-host"] = req.headers.host ?? "";
  Object.assign(out, decision?.headers ?? {});
  return out;
}

/** The edge's own failures: a short plain answer, never Fastify's default body or a stack. */
function edgeError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
  if (status >= 500) req.log.error({ err }, "edge request failed");
  return reply
    .status(status)
    .header("cache-control", "no-store")
    .type("text/plain; charset=utf-8")
    .send(
      status < 500 ? "Bad request: the URL is malformed.\n" : "The edge could not handle this request; try again.\n",
    );
}

export async function buildEdge(deps: EdgeDeps): Promise<FastifyInstance> {
  const scheme = deps.https ? "https" : "http";
  const schemeOf = (req: FastifyRequest): "http" | "https" => {
    if (!deps.behindProxy) return scheme;
    return req.headers["x-forwarded-proto"] === "http" ? "http" : "https";
  };
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger.child({ component: "edge", scheme }) } : { logger: false }),
    ...(deps.https ? { https: deps.https } : {}),
    // Bodies stream through to the upstream untouched.
    bodyLimit: 100 * 1024 * 1024,
    forceCloseConnections: true,
    // Per-request lines would double every proxied request in the log.
    logController: new LogController({ disableRequestLogging: true }),
    // `//x` would reach the proxy as a protocol-relative URL (a 500): merged, as nginx does.
    rewriteUrl: (req) => (req.url ?? "/").replace(/^\/{2,}/, "/"),
    frameworkErrors: (err, req, reply) => edgeError(err, req, reply),
  });
  app.setErrorHandler(edgeError);
  await app.register(fastifyCookie);
  app.decorateRequest("edge", null);
  app.decorateRequest("edgeScheme", scheme);
  // Refused requests count in the metrics; only proxied ones in a project's usage (next to its activity).
  if (deps.metrics || deps.usage) edgeMetricsHooks(app, { metrics: deps.metrics, usage: deps.usage });

  // Every request, WebSocket upgrades included, passes this decision before the proxy.
  app.addHook("onRequest", async (req, reply) => {
    req.edgeScheme = schemeOf(req);
    const decide = () =>
      deps.access.decide({
        scheme: req.edgeScheme,
        host: req.headers.host ?? "",
        url: req.url,
        method: req.method,
        authorization: req.headers.authorization,
        cookies: req.cookies,
      });
    let decision = await decide();
    if (decision.kind === "wake" && deps.wake) {
      // Held while the project starts (one start for every request), then forwarded as usual.
      const { waker, holdMs, browserHoldMs = 1500 } = deps.wake;
      const waitMs = isNavigation(req) ? Math.min(browserHoldMs, holdMs) : holdMs;
      const route = decision.route;
      // Served, or not yet: decided again either way (a page past the hold shows how far it got).
      const started = Date.now();
      const served = await waker.wakeAndWait(route.project.id, route.hostname, waitMs);
      decision = await decide();
      // Only while a project wakes (one line per held request): how a wake went, when it goes wrong.
      req.log.info(
        {
          projectId: route.project.id,
          hostname: route.hostname,
          served,
          heldMs: Date.now() - started,
          outcome: decision.kind,
        },
        "held a request for a waking project",
      );
    }
    if (decision.kind === "proxy") {
      req.edge = decision;
      const route = decision.route;
      if (deps.activity && countsAsActivity(route)) {
        if (req.headers.upgrade?.toLowerCase() === "websocket") {
          const closed = deps.activity.socketOpened(route.project.id);
          req.raw.socket.once("close", closed);
        } else deps.activity.touch(route.project.id);
      }
      // A renewed host session rides on the proxied response (reply-from keeps it).
      if (decision.setCookie) {
        const c = decision.setCookie;
        reply.setCookie(c.name, c.value, cookieOptions(c, hostnameOf(req.headers.host ?? "")));
      }
      return;
    }
    return sendRefusal(reply, decision, req.headers.host ?? "");
  });

  // Accept every content type as a stream: the edge does not parse bodies.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", (_req, payload, done) => done(null, payload));

  await app.register(fastifyHttpProxy, {
    upstream: "",
    // reply-from logs two info lines per proxied request: noise, and work on the hot path.
    disableRequestLogging: true,
    websocket: true,
    ...edgeWebsocketHooks(deps.metrics),
    // The connector's undici dispatcher: keep-alive pools per service (through the gate when there
    // is one); without pooling every proxied request opens a connection (3x less throughput).
    undici: deps.connector.dispatcher as never,
    replyOptions: {
      getUpstream: (req) => (req as FastifyRequest).edge?.upstream ?? "http://127.0.0.1:9",
      rewriteRequestHeaders: (req, headers) =>
        upstreamHeaders(headers as Record<string, unknown>, req as unknown as FastifyRequest) as typeof headers,
      onError: (reply, { error }) => {
        const req = reply.request;
        req.log.warn({ err: error, upstream: req.edge?.upstream }, "upstream did not answer");
        const name = req.edge?.route.project.name ?? "The project";
        sendRefusal(
          reply as FastifyReply,
          {
            kind: "page",
            page: {
              status: 502,
              title: `${name} is not answering`,
              message:
                "Its server is running but refused or dropped the connection. It may be restarting: this page reloads by itself.",
              // A server that is restarting (or just woke) comes back by itself: so does the page.
              refreshS: 3,
            },
          },
          req.headers.host ?? "",
        );
      },
    },
    wsClientOptions: {
      createConnection: deps.connector.createConnection,
      // The ws client starts from an empty header set: carry over cookies, then the same rewrite.
      // Only when there are some: ws refuses a header whose value is undefined (token or public access).
      rewriteRequestHeaders: (headers: Record<string, unknown>, req: FastifyRequest) =>
        upstreamHeaders(req.headers.cookie ? { ...headers, cookie: req.headers.cookie } : headers, req),
    } as object,
  });

  return app;
}
