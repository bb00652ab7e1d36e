// What the edge (builtin proxy or Traefik forward-auth) needs to know about a hostname.

import type { DesiredState, RouteAccess, ServiceKind } from "./vocabulary.js";

export interface EdgeRoute {
  hostname: string;
  kind: ServiceKind;
  access: RouteAccess;
  /** Upstream base URL, e.g. http://127.0.0.1:49153; null while the service has no endpoint. */
  target: string | null;
  project: {
    id: string;
    slug: string;
    name: string;
    /** null: an unclaimed warm-pool instance (it has no routes; kept honest for the type). */
    ownerId: string | null;
    desiredState: DesiredState;
    status: string;
    /** Asleep (idle): a request wakes it (production only when productionIdle). */
    sleeping: boolean;
    productionIdle: boolean;
  };
  /** Observed state of the service behind the route (running, exited, absent, …). */
  serviceState: string;
  /** Its health check passed since it last started. */
  serviceHealthy?: boolean;
}

/**
 * A request for this route wakes its sleeping project (the builtin edge holds it meanwhile;
 * Traefik sends such hosts to that edge). Production sleeps only when the project opted in.
 */
export const wakesOnAccess = (route: {
  kind: ServiceKind;
  project: { desiredState: DesiredState; sleeping: boolean; productionIdle: boolean };
}) =>
  route.project.desiredState === "running" &&
  route.project.sleeping &&
  (route.kind !== "production" || route.project.productionIdle);

/** The route reaches a running service of a running, awake project: the edge can forward to it. */
export const routeServes = (r: EdgeRoute | null): boolean =>
  r !== null &&
  r.target !== null &&
  r.serviceState === "running" &&
  r.project.desiredState === "running" &&
  r.project.status === "running" &&
  !r.project.sleeping;

/**
 * A woken project's host can take requests: its own service runs and passed its health check,
 * even while the project's other services are still starting (the agent takes seconds longer).
 */
export const routeAnswers = (r: EdgeRoute | null): boolean =>
  r !== null &&
  r.target !== null &&
  r.serviceState === "running" &&
  r.serviceHealthy === true &&
  r.project.desiredState === "running" &&
  !r.project.sleeping;

export interface EdgeRouteLookup {
  findByHostname(hostname: string): Promise<EdgeRoute | null>;
}

/** Remembers which one-time app-auth codes were exchanged, across every control-plane replica. */
export interface UsedCodeLedger {
  /** true the first time a code id is claimed; false when any replica claimed it before. */
  claim(jti: string, expiresAt: Date): Promise<boolean>;
}

/** A scheme and port the edge serves project hosts on (the builtin edge's listeners, or Traefik's 443). */
export interface EdgeOrigin {
  scheme: "http" | "https";
  port: number;
}
