import type { ServiceSpec } from "../ports/templates.port.js";

/** Polls the service's HTTP health check until it answers 2xx/3xx, or the deadline passes. */
export async function waitForHealthy(
  endpoint: string,
  check: ServiceSpec["healthCheck"],
  opts: {
    deadlineMs: number;
    signal?: AbortSignal;
    headers?: Record<string, string>;
    /** How service endpoints are reached (the ServiceConnector's fetch). */
    fetch: (url: string, init: RequestInit) => Promise<Response>;
  },
): Promise<void> {
  const url = new URL(check.path, endpoint).toString();
  const until = Date.now() + opts.deadlineMs;
  let last = "no answer yet";
  // Fast first polls: a dev server is often up within a few hundred milliseconds.
  let delay = Math.min(100, check.intervalMs);
  for (;;) {
    try {
      const res = await opts.fetch(url, {
        redirect: "manual",
        headers: opts.headers ?? {},
        signal: AbortSignal.timeout(check.timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 400) return;
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = (err as Error).name === "TimeoutError" ? `no answer within ${check.timeoutMs} ms` : "connection refused";
    }
    if (opts.signal?.aborted) throw new Error("health check aborted");
    if (Date.now() + delay > until) {
      throw new Error(`health check ${check.path} failed for ${Math.round(opts.deadlineMs / 1000)} s (${last})`);
    }
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(check.intervalMs, delay * 2);
  }
}
