// A minimal Server-Sent Events reader over node:http, for tests.
import http from "node:http";

export interface SseEvent {
  event: string;
  data: unknown;
  id?: string;
}

export async function openSse(url: string, headers: Record<string, string>) {
  const events: SseEvent[] = [];
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let buffer = "";
  const req = http.get(url, { headers });
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.on("response", resolve);
    req.on("error", reject);
  });
  res.setEncoding("utf8");
  res.on("data", (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
      const lines = buffer
        .slice(0, end)
        .split("\n")
        .filter((l) => !l.startsWith(":"));
      buffer = buffer.slice(end + 2);
      const event = lines.find((l) => l.startsWith("event: "))?.slice(7);
      const data = lines.find((l) => l.startsWith("data: "))?.slice(6);
      const id = lines.find((l) => l.startsWith("id: "))?.slice(4);
      if (event && data !== undefined) events.push({ event, data: JSON.parse(data), ...(id ? { id } : {}) });
    }
    wake();
  });
  const closed = new Promise<void>((resolve) =>
    res.on("close", () => {
      wake();
      resolve();
    }),
  );
  return {
    status: res.statusCode ?? 0,
    headers: res.headers,
    events,
    /** Resolves with the first event matching, waiting up to `ms`. */
    async next(match: (e: SseEvent) => boolean, ms = 20_000): Promise<SseEvent> {
      const until = Date.now() + ms;
      for (;;) {
        const found = events.find(match);
        if (found) return found;
        if (Date.now() > until) throw new Error(`no matching event within ${ms} ms; got ${JSON.stringify(events)}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 200);
        });
      }
    },
    /** Resolves when the server ends the response; rejects after `ms`. */
    async serverEnded(ms = 5000) {
      await Promise.race([
        closed,
        new Promise((_, reject) => setTimeout(() => reject(new Error(`the server kept the stream open ${ms} ms`)), ms)),
      ]);
    },
    async close() {
      req.destroy();
      await closed;
    },
  };
}
