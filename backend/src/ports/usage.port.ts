// Per-project traffic through the builtin edge (issue #16): what the owner sees on the project
// page instead of high-cardinality metrics. Counted in memory by each process.
import type { ServiceKind } from "./templates.port.js";

export interface HostUsage {
  hostname: string;
  kind: ServiceKind;
  requests: number;
  /** Bytes the edge sent to clients for this host, headers included. */
  bytesSent: number;
  /** Epoch ms of the latest request; null before one. */
  lastRequestAt: number | null;
}

export interface EdgeUsageRecorder {
  /** One request through the edge to this project's host ended, having sent `bytes`. */
  request(projectId: string, hostname: string, kind: ServiceKind, bytes: number): void;
}

export interface EdgeUsageView {
  /** When this process started counting (its counters cover the time since). */
  since: Date;
  hosts(projectId: string): HostUsage[];
}
