import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import type { PublishedRoute, RouteTable } from "../../ports/route-table.port.js";
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
/** More changed projects than this in one render: the whole table is read instead. */
const MAX_PROJECT_READS = 32;

export interface RenderedDynamicConfig {
  body: Buffer;
  etag: string;
  /**
   * The same document gzip-encoded, and that representation's ETag; null for the few
   * milliseconds it is being compressed after a change (a poll then gets the plain document:
   * identity is always acceptable, and the change is not held back by the compression).
   */
  gzipped: Buffer | null;
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
  /** With a change feed: how long a moved fingerprint waits for the notification naming the project. */
  feedGraceMs?: number;
  now?: () => number;
  /** Told once per render about routes left out of the document. */
  onSkipped?: (skipped: SkippedRoute[]) => void;
  /** Told when a render fails while an older document is still being served. */
  onError?: (err: unknown) => void;
  /**
   * Subscribes to "something the table reads changed" (from any replica): the project whose
   * routes did, or null for anything (a template); returns unsubscribe.
   */
  onTableChange?: (fn: (projectId: string | null) => void) => () => void;
}

export function traefikProviderServiceFactory(deps: TraefikProviderDeps) {
  const ttlMs = deps.ttlMs ?? 1000;
  const maxWaitMs = deps.maxWaitMs ?? 100;
  const rereadMs = deps.rereadMs ?? 30_000;
  const feedGraceMs = deps.feedGraceMs ?? 50;
  const now = deps.now ?? Date.now;
  let cached: { at: number; readAt: number; version: string; value: RenderedDynamicConfig } | null = null;
  let refreshing: Promise<RenderedDynamicConfig> | null = null;
  // Set by the change feed; cleared when a render starts reading the table.
  let dirty = false;
  // A render is reading the table: a poll waits for it (up to maxWaitMs) rather than the cache.
  let rendering = false;
  // Remembers each route's part of the document: a change re-renders that route only.
  const renderDocument = traefikDocumentRenderer(deps.render);
  // The table as last read, by hostname. A change the feed names by project re-reads only that
  // project's routes into it; anything else (a fingerprint that moved by itself, a template, a
  // resync, every `rereadMs`) reads the whole table.
  let table: Map<string, PublishedRoute> | null = null;
  let fullReadAt = 0;
  const changedProjects = new Set<string>();
  let anyChange = false;

  async function readTable(at: number): Promise<PublishedRoute[]> {
    const projects = [...changedProjects];
    changedProjects.clear();
    const whole = anyChange;
    anyChange = false;
    const listProject = deps.routes.listProjectRoutes?.bind(deps.routes);
    // Many projects at once (an import, a burst of creates): one read of the table is cheaper.
    const few = projects.length > 0 && projects.length <= MAX_PROJECT_READS;
    if (whole || !few || !table || !listProject || at - fullReadAt >= rereadMs) {
      const rows = await deps.routes.listRoutes();
      table = new Map(rows.map((r) => [r.hostname, r]));
      fullReadAt = at;
      return rows;
    }
    const fresh = await Promise.all(projects.map((id) => listProject(id)));
    const ids = new Set(projects);
    for (const [hostname, r] of table) if (ids.has(r.project.id)) table.delete(hostname);
    for (const r of fresh.flat()) table.set(r.hostname, r);
    return [...table.values()];
  }

  async function render(version: string | Promise<string>, at: number): Promise<RenderedDynamicConfig> {
    dirty = false;
    rendering = true;
    try {
      return await renderTable(version, at);
    } finally {
      rendering = false;
    }
  }

  async function renderTable(version: string | Promise<string>, at: number): Promise<RenderedDynamicConfig> {
    const [rows, fingerprint] = await Promise.all([readTable(at), version]);
    const { body, skipped, published } = renderDocument(rows);
    if (skipped.length) deps.onSkipped?.(skipped);
    const hash = createHash("sha256").update(body).digest("base64url");
    const value: RenderedDynamicConfig = {
      body,
      etag: `"${hash}"`,
      gzipped: null,
      gzipEtag: `"${hash}-gzip"`,
      routes: published,
      skipped,
    };
    cached = { at, readAt: at, version: fingerprint, value };
    compress(value);
    return value;
  }

  /**
   * In libuv's thread pool, off the event loop. Level 1: a third of the default's time for a
   * document 8% larger (10,000 routes: ~11 ms, 381 KiB, against ~30 ms, 354 KiB).
   */
  function compress(value: RenderedDynamicConfig) {
    gzipAsync(value.body, { level: 1 }).then(
      (gzipped) => {
        if (cached?.value === value) cached = { ...cached, value: { ...value, gzipped } };
      },
      (err: unknown) => deps.onError?.(err),
    );
  }

  /**
   * The fingerprint is read before the table: a write between the two shows on the next check.
   * After a notification both are read at once: a write the table read missed is announced too.
   */
  async function revalidate(at: number): Promise<RenderedDynamicConfig> {
    if (dirty && cached) {
      // Notifications delivered together (one network read, a burst of writes) make one render.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return render(deps.routes.version(), at);
    }
    const version = await deps.routes.version();
    if (!dirty && cached && cached.version === version && at - cached.readAt < rereadMs) {
      cached = { ...cached, at };
      return cached.value;
    }
    // The fingerprint moved before the feed said which project: its notification is usually a
    // few milliseconds behind the commit, and it turns a read of the table into one project's.
    if (!dirty && cached && deps.onTableChange && at - cached.readAt < rereadMs) await feedOrTimeout();
    return render(version, at);
  }

  function refresh(): Promise<RenderedDynamicConfig> {
    refreshing ??= revalidate(now()).finally(() => {
      refreshing = null;
      if (dirty) renderSoon(); // a change landed while the table was being read
    });
    return refreshing;
  }

  /** Resolves on the next change the feed announces, or after `feedGraceMs`. */
  let feedWaiters: Array<() => void> = [];
  function feedOrTimeout() {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, feedGraceMs);
      feedWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  function renderSoon() {
    if (!refreshing) refresh().catch((err: unknown) => deps.onError?.(err));
  }
  function changed(projectId: string | null) {
    if (projectId) changedProjects.add(projectId);
    else anyChange = true;
    dirty = true;
    const waiting = feedWaiters;
    feedWaiters = [];
    for (const w of waiting) w();
    renderSoon();
  }
  const unsubscribe = deps.onTableChange?.(changed);

  return {
    current(): Promise<RenderedDynamicConfig> {
      if (cached && !dirty && !rendering && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
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
