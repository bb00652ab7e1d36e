import { HttpResponse } from "msw";

const encoder = new TextEncoder();
const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/** A server-sent-events endpoint the test drives: `send` pushes to every open connection. */
export function sseChannel() {
  const open = new Set<ReadableStreamDefaultController<Uint8Array>>();
  let opened = 0;
  return {
    response(initial: [string, unknown][] = []) {
      opened += 1;
      let ctl: ReadableStreamDefaultController<Uint8Array> | undefined;
      const stream = new ReadableStream<Uint8Array>({
        start(c) {
          ctl = c;
          open.add(c);
          for (const [event, data] of initial) c.enqueue(encoder.encode(frame(event, data)));
        },
        cancel() {
          if (ctl) open.delete(ctl);
        },
      });
      return new HttpResponse(stream, {
        headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      });
    },
    send(event: string, data: unknown) {
      for (const c of open) c.enqueue(encoder.encode(frame(event, data)));
    },
    get connections() {
      return opened;
    },
  };
}
