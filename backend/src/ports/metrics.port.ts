// What the control plane counts, in domain terms (issue #16). Labels are bounded on purpose:
// route patterns, service kinds, status codes and outcomes, never a URL, project or user id.

export interface HttpMetrics {
  /** One API request answered; `route` is the pattern ("/api/v1/projects/:id"), "unmatched" without one. */
  request(r: { method: string; route: string; status: number; seconds: number }): void;
}

export interface EdgeMetrics {
  /** One request through the edge; `kind` is the service kind of its route, "none" when refused before one. */
  request(r: { kind: string; status: number; seconds: number; bytes: number }): void;
  /** A WebSocket proxied through the edge connected (+1) or closed (-1). */
  websockets(change: 1 | -1): void;
}

export type ReconcileOutcome = "converged" | "failed" | "superseded" | "docker_unavailable" | "locked" | "error";

export interface ReconcilerMetrics {
  pass(outcome: ReconcileOutcome, seconds: number): void;
}

/** The text a scrape returns, and its content type. */
export type MetricsScrape = () => Promise<{ contentType: string; body: string }>;

export type OperationOutcome = "succeeded" | "failed" | "canceled";

export interface OperationMetrics {
  /** An operation ended; `kind` is its kind (create, deploy …). */
  finished(kind: string, outcome: OperationOutcome): void;
  /** One step of an operation ran (succeeded or failed); `kind` is "none" in a pass no operation asked for. */
  step(kind: string, step: string, seconds: number): void;
}

/** Calls to the infrastructure that failed: Docker by port operation, the database by Prisma error code. */
export interface FailureMetrics {
  dockerError(operation: string): void;
  databaseError(code: string): void;
}
