import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { RouteTable } from "../../ports/route-table.port.js";
import { type SkippedRoute, type TraefikRenderOptions, traefikDocumentRenderer } from "./traefik-dynamic-config.js";

// Serves Traefik's HTTP provider: the rendered document, its ETag, a gzip copy, and a short
// cache. Every Traefik instance polls every 2 s and downloads the whole document each time
// (its provider sends no If-None-Match; it hashes the body and reloads only when it changed).
// So: the table's fingerprint is checked at most once per `ttlMs` however many pollers ask, and
// the table is read and rendered again only when the fingerprint moved (or every `rereadMs`, in
// case a write slipped past it); a poll waits at most `maxWaitMs` for a fresh render and
// otherwise gets the previous document (10,000 routes take ~0.5 s of CPU to read and render);
// and Go's client, which asks for gzip, gets 1/17 of the bytes.
// With a change feed (the database's NOTIFY), a change renders at once in the background, so
// the next poll already gets it; the fingerprint still guards against a missed notification.

const gzipAsync = promisify(gzip);

export interface RenderedDynamicConfig {
  body: Buffer;
  etag: string;
  /** The same document gzip-encoded, and that representation's ETag. */
  gzipped: Buffer;
  gzipEtag: string;
  routes: number;
  skipped: SkippedRoute[];
}

export interface TraefikProviderDeps {
  routes: RouteTable;
  render: TraefikRenderOptions;
  ttlMs?: number;
  maxWaitMs?: number;
  /** Read the table even when its fingerprint did not move, at least this often. */
  rereadMs?: number;
  now?: () => number;
  /** Told once per render about routes left out of the document. */
  onSkipped?: (skipped: SkippedRoute[]) => void;
  /** Told when a render fails while an older document is still being served. */
  onError?: (err: unknown) => void;
  /** Subscribes to "something the table reads changed" (from any replica); returns unsubscribe. */
  onTableChange?: (fn: () => void) => () => void;
}

export function traefikProviderServiceFactory(deps: TraefikProviderDeps) {
  const ttlMs = deps.ttlMs ?? 1000;
  const maxWaitMs = deps.maxWaitMs ?? 100;
  const rereadMs = deps.rereadMs ?? 30_000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; readAt: number; version: string; value: RenderedDynamicConfig } | null = null;
  let refreshing: Promise<RenderedDynamicConfig> | null = null;
  // Set by the change feed; cleared when a render starts reading the table.
  let dirty = false;
  // Remembers each route's part of the document: a change re-renders that route only.
  const renderDocument = traefikDocumentRenderer(deps.render);

  async function render(version: string, at: number): Promise<RenderedDynamicConfig> {
    dirty = false;
    const table = await deps.routes.listRoutes();
    const { body: json, skipped, published } = renderDocument(table);
    if (skipped.length) deps.onSkipped?.(skipped);
    const body = Buffer.from(json);
    const hash = createHash("sha256").update(body).digest("base64url");
    const gzipped = await gzipAsync(body); // in libuv's thread pool, not on the event loop
    const value = {
      body,
      etag: `"${hash}"`,
      gzipped,
      gzipEtag: `"${hash}-gzip"`,
      routes: published,
      skipped,
    };
    cached = { at, readAt: at, version, value };
    return value;
  }

  /** The fingerprint is read before the table: a write between the two shows on the next check. */
  async function revalidate(at: number): Promise<RenderedDynamicConfig> {
    const version = await deps.routes.version();
    if (!dirty && cached && cached.version === version && at - cached.readAt < rereadMs) {
      cached = { ...cached, at };
      return cached.value;
    }
    return render(version, at);
  }

  function refresh(): Promise<RenderedDynamicConfig> {
    refreshing ??= revalidate(now()).finally(() => {
      refreshing = null;
      if (dirty) changed(); // a change landed while the table was being read
    });
    return refreshing;
  }

  function changed() {
    dirty = true;
    if (!refreshing) refresh().catch((err: unknown) => deps.onError?.(err));
  }
  const unsubscribe = deps.onTableChange?.(changed);

  return {
    current(): Promise<RenderedDynamicConfig> {
      if (cached && !dirty && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
      const fresh = refresh();
      if (!cached) return fresh;
      const stale = cached.value;
      return Promise.race([
        fresh.catch((err: unknown) => {
          deps.onError?.(err);
          return stale;
        }),
        new Promise<RenderedDynamicConfig>((resolve) => setTimeout(resolve, maxWaitMs, stale).unref()),
      ]);
    },
    close() {
      unsubscribe?.();
    },
  };
}

export type TraefikProviderService = ReturnType<typeof traefikProviderServiceFactory>;

/** If-None-Match matches when it lists this ETag (weak comparison, RFC 9110 §13.1.2) or is `*`. */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/** Accept-Encoding lists gzip with a non-zero quality. */
export function acceptsGzip(acceptEncoding: string | undefined): boolean {
  return (acceptEncoding ?? "").split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return coding?.trim() === "gzip" && (!q || Number(q.slice(2)) > 0);
  });
}
