import type { FastifyReply, FastifyRequest } from "fastify";

export interface EventStream {
  /** `id` lets a reconnecting browser resume with Last-Event-ID. */
  send(event: string, data: unknown, id?: string): void;
  /** Aborted when the client goes away or the stream is closed. */
  signal: AbortSignal;
  close(): void;
}

/**
 * Takes the response over for Server-Sent Events: framing, a heartbeat comment so proxies keep
 * the connection open, and cleanup when the client disconnects.
 */
export function openEventStream(
  req: FastifyRequest,
  reply: FastifyReply,
  opts: { heartbeatMs?: number } = {},
): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache, no-transform",
    connection: "keep-alive",
    "x-accel-buffering": "no",
    "x-request-id": String(req.id),
  });
  res.write(": connected\n\n");
  const aborter = new AbortController();
  const heartbeat = setInterval(() => res.write(": ping\n\n"), opts.heartbeatMs ?? 15_000);
  const close = () => {
    if (aborter.signal.aborted) return;
    clearInterval(heartbeat);
    aborter.abort();
    res.end();
  };
  res.on("close", close);
  return {
    signal: aborter.signal,
    close,
    send(event, data, id) {
      if (aborter.signal.aborted) return;
      // JSON has no raw newlines, so one data line per event.
      res.write(`${id ? `id: ${id}\n` : ""}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
  };
}
