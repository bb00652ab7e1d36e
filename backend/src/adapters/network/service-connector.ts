// The ServiceConnector adapters, on undici. undici is pinned to the version @fastify/reply-from
// resolves, so the edge can hand reply-from this Dispatcher (it checks `instanceof Dispatcher`).
import net from "node:net";
import type { Duplex } from "node:stream";
import { Agent, type buildConnector, fetch as undiciFetch } from "undici";
import type { ServiceConnector } from "../../ports/service-connector.port.js";

const POOL = { connections: 128, keepAliveTimeout: 30_000 };

function connector(
  via: ServiceConnector["via"],
  open: (host: string, port: number) => Promise<net.Socket>,
  openSync: (host: string, port: number) => net.Socket,
): ServiceConnector {
  const connect: buildConnector.connector = (opts, cb) => {
    open(opts.hostname, Number(opts.port) || 80).then(
      (socket) => cb(null, socket),
      (err: Error) => cb(err, null),
    );
  };
  const agent = new Agent({ ...POOL, connect });
  return {
    via,
    dispatcher: agent,
    fetch: (url, init) => undiciFetch(url, { ...(init as object), dispatcher: agent }) as unknown as Promise<Response>,
    createConnection(opts): Duplex {
      return openSync(String(opts.hostname ?? opts.host ?? ""), Number(opts.port) || 80);
    },
    close: () => agent.close(),
  };
}

/** The control plane shares the project networks (compose): straight to <container>:<port>. */
export function networkServiceConnector(): ServiceConnector {
  const openSync = (host: string, port: number) => net.connect({ host, port, noDelay: true });
  return connector(
    "network",
    (host, port) =>
      new Promise((resolve, reject) => {
        const s = openSync(host, port);
        s.once("connect", () => resolve(s)).once("error", reject);
      }),
    openSync,
  );
}

export interface GateAddress {
  /** The gate's port on 127.0.0.1, making sure the gate runs. */
  port(): Promise<number>;
  /** The last port known, for callers that cannot wait (ws, node:http). */
  knownPort(): number | null;
  /** A connection through the gate failed: look at the gate again on the next call (keeps the port). */
  forget(): void;
}

/**
 * Through the install's service gate (adapters/docker/service-gate-script.ts): a TCP connection
 * to its loopback port, one line naming the target and the gate's secret, then the caller's
 * bytes. The relay parses nothing, so keep-alive pools, streaming and WebSockets work as direct.
 */
export function gateServiceConnector(gate: GateAddress, secret: string): ServiceConnector {
  const line = (host: string, port: number) => `DSGATE1 ${secret} ${host}:${port}\n`;
  const dial = (gatePort: number, host: string, port: number) => {
    const s = net.connect({ host: "127.0.0.1", port: gatePort, noDelay: true });
    // Written at once, sent once connected: the gate reads it before anything else.
    s.write(line(host, port));
    return s;
  };
  return connector(
    "gate",
    async (host, port) => {
      const gatePort = await gate.port();
      return new Promise((resolve, reject) => {
        const s = dial(gatePort, host, port);
        s.once("connect", () => resolve(s)).once("error", (err) => {
          gate.forget();
          reject(err);
        });
      });
    },
    (host, port) => {
      const known = gate.knownPort();
      if (known === null) {
        const s = new net.Socket();
        process.nextTick(() => s.destroy(new Error("the service gate is not running yet")));
        return s;
      }
      const s = dial(known, host, port);
      s.once("error", () => gate.forget());
      return s;
    },
  );
}
