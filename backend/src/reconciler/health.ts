import type { ServiceSpec } from "../ports/templates.port.js";

const FAST_POLL_MS = 25;
const FAST_POLL_WINDOW_MS = 5000;

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
  // Fast polls for the first seconds: a dev server is often up within a few hundred milliseconds,
  // and every poll interval a wake or start waits past that is latency the person sees (a poll is
  // one small request on loopback). Then the template's interval.
  const fastUntil = Date.now() + FAST_POLL_WINDOW_MS;
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
    const delay = Date.now() < fastUntil ? Math.min(FAST_POLL_MS, check.intervalMs) : check.intervalMs;
    if (Date.now() + delay > until) {
      throw new Error(`health check ${check.path} failed for ${Math.round(opts.deadlineMs / 1000)} s (${last})`);
    }
    await new Promise((r) => setTimeout(r, delay));
  }
}
