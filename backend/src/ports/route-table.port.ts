import type { DesiredState, RouteAccess, ServiceKind } from "./vocabulary.js";

// The whole routing table, as a proxy that is configured in one piece (Traefik's HTTP
// provider) needs it. The builtin edge asks host by host instead (EdgeRouteLookup).

export interface PublishedRoute {
  hostname: string;
  kind: ServiceKind;
  access: RouteAccess;
  /** Upstream base URL, e.g. http://app-preview:5173; null while the service has no endpoint. */
  target: string | null;
  /** sleeping: asleep (idle), woken by a request on its hosts (production only with productionIdle). */
  project: { id: string; slug: string; desiredState: DesiredState; sleeping: boolean; productionIdle: boolean };
  /** Observed state of the service behind the route (running, exited, absent, …). */
  serviceState: string;
  /** The template's health-check path for this service kind, when it declares one. */
  healthCheckPath: string | null;
}

export interface RouteTable {
  /** Every route, in hostname order. */
  listRoutes(): Promise<PublishedRoute[]>;
  /** One project's routes (a change the feed named): a few rows instead of the whole table. */
  listProjectRoutes?(projectId: string): Promise<PublishedRoute[]>;
  /**
   * A cheap fingerprint of everything listRoutes reads: equal fingerprints mean, as far as the
   * store can tell cheaply, an unchanged table. Callers still re-read now and then.
   */
  version(): Promise<string>;
}
