import { setTimeout as sleep } from "node:timers/promises";
import type { ProxyProvider, VerifyOptions } from "../../ports/proxy-provider.port.js";
import { DomainError } from "../../shared/errors.js";

// Traefik's API is read-only, and it takes up to a poll interval (plus its own throttling) to
// load what the control plane serves. A route counts as live only once Traefik's API shows
// its router with status "enabled": poll with exponential backoff until then, or time out.

export interface TraefikProxyDeps {
  /** Traefik's API, e.g. http://traefik:8080 (its internal entrypoint, never published). */
  apiUrl: string;
  /** The router name the dynamic configuration gives a hostname (renderer's routerNameFor). */
  routerNameFor: (hostname: string) => string;
  /** The router that is always in the document: visible means Traefik consumes our provider. */
  sentinelRouter: string;
  timeoutMs?: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  fetch?: typeof fetch;
}

type Answer = { live: true } | { live: false; said: string };

/**
 * `service`: the service the router must name (a project route's own, not the control plane's
 * shared ones): a route is live once Traefik sends it to the container, not while the document
 * it still holds sends a sleeping (or stopped) project's host to the control plane.
 */
async function askTraefik(doFetch: typeof fetch, url: string, signal: AbortSignal, service?: string): Promise<Answer> {
  let res: Response;
  try {
    res = await doFetch(url, { signal, headers: { accept: "application/json" } });
  } catch (err) {
    return { live: false, said: `no answer (${(err as Error).message})` };
  }
  const text = await res.text().catch(() => "");
  if (res.status !== 200) return { live: false, said: `HTTP ${res.status} ${text.trim().slice(0, 200)}`.trim() };
  try {
    const router = JSON.parse(text) as { status?: unknown; error?: unknown; service?: unknown };
    const named = String(router.service ?? "").replace(/@http$/, "");
    if (router.status === "enabled" && service && named !== service) {
      return { live: false, said: `HTTP 200 enabled, routed to ${named} (not yet to ${service})` };
    }
    if (router.status === "enabled") return { live: true };
    const why = router.error ? ` ${JSON.stringify(router.error).slice(0, 300)}` : "";
    return { live: false, said: `HTTP 200 status "${String(router.status)}"${why}` };
  } catch {
    return { live: false, said: `HTTP 200 that is not JSON: ${text.slice(0, 120)}` };
  }
}

export function traefikProxyProvider(deps: TraefikProxyDeps) {
  const doFetch = deps.fetch ?? fetch;
  const base = deps.apiUrl.replace(/\/+$/, "");
  const initialDelay = deps.initialDelayMs ?? 100;
  const maxDelay = deps.maxDelayMs ?? 2000;

  /** Polls one router until it is enabled; throws PROXY_ROUTE_NOT_LIVE with Traefik's last answer. */
  async function waitForRouter(name: string, opts: VerifyOptions): Promise<void> {
    const timeoutMs = opts.timeoutMs ?? deps.timeoutMs ?? 30_000;
    const deadline = Date.now() + timeoutMs;
    const url = `${base}/api/http/routers/${encodeURIComponent(name)}@http`;
    let delay = initialDelay;
    let last = "";
    for (;;) {
      opts.signal?.throwIfAborted();
      const remaining = deadline - Date.now();
      const signal = AbortSignal.any([
        // Each request gets a fair chance even at the deadline, so the last answer is a real one.
        AbortSignal.timeout(Math.min(5000, Math.max(remaining, 500))),
        ...(opts.signal ? [opts.signal] : []),
      ]);
      const answer = await askTraefik(doFetch, url, signal, name === deps.sentinelRouter ? undefined : name);
      if (answer.live) return;
      last = answer.said;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(delay, left), undefined, opts.signal ? { signal: opts.signal } : {}).catch((err) => {
        opts.signal?.throwIfAborted(); // the caller's reason, not a generic AbortError
        throw err;
      });
      delay = Math.min(delay * 2, maxDelay);
    }
    const hint =
      name === deps.sentinelRouter
        ? " (is Traefik polling /internal/traefik/dynamic, with the same TRAEFIK_PROVIDER_SECRET?)"
        : "";
    throw new DomainError(
      "unavailable",
      "PROXY_ROUTE_NOT_LIVE",
      `Traefik did not show router ${name}@http as enabled within ${Math.round(timeoutMs / 100) / 10} s${hint}; last answer: ${last}`,
      { router: `${name}@http`, lastAnswer: last },
    );
  }

  const provider: ProxyProvider & { waitForRouters(names: readonly string[], opts?: VerifyOptions): Promise<void> } = {
    kind: "traefik",
    waitForRouters: async (names, opts = {}) => {
      // The first router that fails stops the others' polling.
      const stop = new AbortController();
      const signal = opts.signal ? AbortSignal.any([stop.signal, opts.signal]) : stop.signal;
      try {
        await Promise.all(names.map((n) => waitForRouter(n, { ...opts, signal })));
      } finally {
        stop.abort();
      }
    },
    verify: async (hostnames, opts = {}) => {
      const names = [deps.sentinelRouter, ...hostnames.map(deps.routerNameFor)];
      await provider.waitForRouters(names, opts);
    },
  };
  return provider;
}
