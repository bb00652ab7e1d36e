import type { EdgeRoute, EdgeRouteLookup } from "../../ports/edge.port.js";

// The edge asks for the same few hostnames thousands of times a second; a route change
// (start, stop, delete) may take up to `ttlMs` to be seen. Misses are cached too, so a
// flood of requests for an unknown host costs one query per TTL.
export function cachedRouteLookup(
  inner: EdgeRouteLookup,
  opts: { ttlMs: number; maxEntries?: number; now?: () => number },
) {
  const now = opts.now ?? Date.now;
  const max = opts.maxEntries ?? 10_000;
  const entries = new Map<string, { at: number; value: Promise<EdgeRoute | null> }>();
  const lookup: EdgeRouteLookup & { invalidate(hostname?: string): void } = {
    findByHostname(hostname) {
      const hit = entries.get(hostname);
      if (hit && now() - hit.at < opts.ttlMs) return hit.value;
      if (entries.size >= max) entries.delete(entries.keys().next().value as string);
      // Share one in-flight query between concurrent requests; forget it if it fails.
      const value = inner.findByHostname(hostname);
      value.catch(() => entries.delete(hostname));
      entries.set(hostname, { at: now(), value });
      return value;
    },
    invalidate(hostname) {
      if (hostname) entries.delete(hostname);
      else entries.clear();
    },
  };
  return lookup;
}
