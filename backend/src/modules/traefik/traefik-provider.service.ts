import { createHash } from "node:crypto";
import type { RouteTable } from "../../ports/route-table.port.js";
import {
  canonicalJson,
  renderTraefikConfig,
  type SkippedRoute,
  type TraefikRenderOptions,
} from "./traefik-dynamic-config.js";

// Serves Traefik's HTTP provider: the rendered document, its strong ETag, and a short cache.
// Every Traefik instance polls every 2 s; with the cache, the table is read at most once per
// `ttlMs` however many instances poll, and a change is seen within ttlMs + pollInterval.

export interface RenderedDynamicConfig {
  body: string;
  etag: string;
  routes: number;
  skipped: SkippedRoute[];
}

export interface TraefikProviderDeps {
  routes: RouteTable;
  render: TraefikRenderOptions;
  ttlMs?: number;
  now?: () => number;
  /** Told once per render about routes left out of the document. */
  onSkipped?: (skipped: SkippedRoute[]) => void;
}

export function traefikProviderServiceFactory(deps: TraefikProviderDeps) {
  const ttlMs = deps.ttlMs ?? 1000;
  const now = deps.now ?? Date.now;
  let cached: { at: number; value: Promise<RenderedDynamicConfig> } | null = null;

  async function render(): Promise<RenderedDynamicConfig> {
    const table = await deps.routes.listRoutes();
    const { config, skipped } = renderTraefikConfig(table, deps.render);
    if (skipped.length) deps.onSkipped?.(skipped);
    const body = canonicalJson(config);
    const etag = `"${createHash("sha256").update(body).digest("base64url")}"`;
    return { body, etag, routes: table.length - skipped.length, skipped };
  }

  return {
    current(): Promise<RenderedDynamicConfig> {
      if (cached && now() - cached.at < ttlMs) return cached.value;
      // One render shared by concurrent pollers; a failed one is not kept.
      const value = render();
      const entry = { at: now(), value };
      cached = entry;
      value.catch(() => {
        if (cached === entry) cached = null;
      });
      return value;
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
