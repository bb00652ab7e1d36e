// How the control plane reaches a project's services. Their endpoints are always
// http://<container-name>:<port> on the project's network: directly when the control plane is on
// that network (compose), or through the install's service gate (the embedded default, where no
// project container publishes a port). Everything that talks to a project service — the edge,
// health checks, the agent's OpenCode client, the deployer — goes through one of these.
import type { Duplex } from "node:stream";

export interface ServiceConnector {
  readonly via: "gate" | "network";
  /** fetch() for service endpoints. */
  fetch(url: string | URL, init?: RequestInit): Promise<Response>;
  /** An undici Dispatcher (for a proxy that takes one: the builtin edge's @fastify/reply-from). */
  readonly dispatcher: object;
  /** A socket to a service's host and port, for node:http and ws (their `createConnection`). */
  createConnection(opts: { host?: string | null; hostname?: string | null; port?: number | string | null }): Duplex;
  close(): Promise<void>;
}
