import { type EdgeRoute, type EdgeRouteLookup, routeServes } from "../../ports/edge.port.js";

// The edge asks for the same few hostnames thousands of times a second; a route change
// (start, stop, delete) may take up to `ttlMs` to be seen. Misses are cached too, so a
// flood of requests for an unknown host costs one query per TTL. A host that is not settled
// (no route, or its project or service is not running yet: the route's target may still be
// the previous container's) is kept only `unsettledTtlMs`, so a project that has just been
// created or started shows up at once, not a second later.
export function cachedRouteLookup(
  inner: EdgeRouteLookup,
  opts: { ttlMs: number; unsettledTtlMs?: number; maxEntries?: number; now?: () => number },
) {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 10_000;
  const unsettledTtl = Math.min(opts.unsettledTtlMs ?? opts.ttlMs, opts.ttlMs);
  const settled = routeServes;
  const entries = new Map<string, { at: number; ttl: number; value: Promise<EdgeRoute | null> }>();
  const lookup: EdgeRouteLookup & { invalidate(hostname?: string): void } = {
    findByHostname(hostname) {
      const hit = entries.get(hostname);
      if (hit && now() - hit.at < hit.ttl) return hit.value;
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      // Share one in-flight query between concurrent requests; forget it if it fails.
      const value = inner.findByHostname(hostname);
      const entry = { at: now(), ttl: opts.ttlMs, value };
      value.then(
        (r) => {
          if (!settled(r)) entry.ttl = unsettledTtl;
        },
        () => entries.delete(hostname),
      );
      entries.set(hostname, entry);
      return value;
    },
    invalidate(hostname) {
      if (hostname) entries.delete(hostname);
      else entries.clear();
    },
  };
  return lookup;
}
