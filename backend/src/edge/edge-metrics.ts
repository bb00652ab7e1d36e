// The builtin edge's counters (issue #16), kept out of edge-server.ts's hot path: one number
// read when a request starts, one observation when it ends, no per-request allocation beyond
// the labels.
import type { FastifyInstance } from "fastify";
import type { EdgeMetrics } from "../ports/metrics.port.js";
import type { EdgeUsageRecorder } from "../ports/usage.port.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The client socket's bytesWritten when this request started (keep-alive reuses the socket). */
    edgeBytesAtStart: number;
  }
}

/**
 * Registers the hooks; call before the access decision's hook so refused requests count too.
 * `usage` counts proxied requests per project host (WebSocket upgrades never reach onResponse).
 */
export function edgeMetricsHooks(
  app: FastifyInstance,
  { metrics, usage }: { metrics?: EdgeMetrics | undefined; usage?: EdgeUsageRecorder | undefined },
) {
  app.decorateRequest("edgeBytesAtStart", 0);
  // Callback-style hooks: an async one costs every request a promise and a tick.
  app.addHook("onRequest", (req, _reply, done) => {
    req.edgeBytesAtStart = req.raw.socket?.bytesWritten ?? 0;
    done();
  });
  app.addHook("onResponse", (req, reply, done) => {
    const bytes = (req.raw.socket?.bytesWritten ?? 0) - req.edgeBytesAtStart;
    const route = req.edge?.route;
    metrics?.request({
      kind: route?.kind ?? "none",
      status: reply.statusCode,
      seconds: reply.elapsedTime / 1000,
      bytes,
    });
    if (route && usage) usage.request(route.project.id, route.hostname, route.kind, bytes);
    done();
  });
}

/** @fastify/http-proxy's wsHooks: the open-WebSockets gauge. */
export function edgeWebsocketHooks(metrics: EdgeMetrics | undefined) {
  if (!metrics) return {};
  return {
    wsHooks: {
      onConnect: () => metrics.websockets(1),
      onDisconnect: () => metrics.websockets(-1),
    },
  };
}
