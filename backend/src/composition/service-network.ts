// How the control plane reaches project services (ports/service-connector.port.ts), and what
// the reconciler must keep running for it. PROJECT_ENDPOINTS=gate (the embedded default): no
// project container publishes a port — a published port on 127.0.0.1 answered anyone on the
// machine, and a browser sent it the cookies of any project host it was pointed at — and the
// install's service gate relays to them. network (compose): the control plane is on their
// networks itself.

import { dockerServiceGate } from "../adapters/docker/docker-service-gate.js";
import type { dockerodeContainerRuntime } from "../adapters/docker/dockerode-container-runtime.js";
import {
  type GateAddress,
  gateServiceConnector,
  networkServiceConnector,
} from "../adapters/network/service-connector.js";
import type { Config } from "../config/config.js";
import { deriveKey } from "../config/secrets.js";
import type { Labels } from "../ports/container-runtime.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";

export interface ServiceNetwork {
  connector: ServiceConnector;
  /** Containers that join every project network (the gate). */
  attach: string[];
  /** Makes sure what the connector needs runs (cheap when it was checked a moment ago). */
  prepare(): Promise<void>;
  close(): Promise<void>;
}

/** The gate is looked at again at most this often by passes; a failed connection looks at once. */
const RECHECK_MS = 5000;

export function composeServiceNetwork(opts: {
  config: Pick<Config["reconciler"], "endpoints" | "gateImage">;
  runtime: ReturnType<typeof dockerodeContainerRuntime>;
  installId: string;
  rootSecret: Buffer;
  extraLabels?: Labels;
}): ServiceNetwork {
  if (opts.config.endpoints === "network") {
    const connector = networkServiceConnector();
    return { connector, attach: [], prepare: async () => {}, close: () => connector.close() };
  }
  const secret = Buffer.from(deriveKey(opts.rootSecret, "service-gate")).toString("base64url");
  const gate = dockerServiceGate(opts.runtime.docker, {
    installId: opts.installId,
    image: opts.config.gateImage,
    secret,
    ...(opts.extraLabels ? { extraLabels: opts.extraLabels } : {}),
  });
  let port: number | null = null;
  let checkedAt = 0;
  let pending: Promise<number> | null = null;
  const ensure = (): Promise<number> => {
    if (port !== null && Date.now() - checkedAt < RECHECK_MS) return Promise.resolve(port);
    pending ??= gate
      .ensure()
      .then((p) => {
        port = p;
        checkedAt = Date.now();
        return p;
      })
      .finally(() => {
        pending = null;
      });
    return pending;
  };
  const address: GateAddress = {
    port: ensure,
    knownPort: () => port,
    // Looked at again on the next call, but the port stays known: a connection reset by a
    // project's server (an idle keep-alive closed) must not leave WebSockets without a gate.
    forget: () => {
      checkedAt = 0;
    },
  };
  const connector = gateServiceConnector(address, secret);
  return {
    connector,
    attach: [gate.name],
    prepare: async () => {
      await ensure();
    },
    close: () => connector.close(),
  };
}
