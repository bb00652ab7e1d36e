import Docker from "dockerode";
import type { ContainerRuntime, ContainerSummary, RuntimeVersion } from "../../ports/container-runtime.port.js";
import { DomainError } from "../../shared/errors.js";

export interface DockerConnection {
  /** DOCKER_HOST-style URL (unix://, tcp://, ssh://). Wins over socketPath. */
  host?: string;
  socketPath: string;
}

export function dockerFromConnection(conn: DockerConnection): Docker {
  if (!conn.host) return new Docker({ socketPath: conn.socketPath });
  const url = new URL(conn.host);
  if (url.protocol === "unix:") return new Docker({ socketPath: url.pathname });
  // DOCKER_HOST says tcp://; dockerode speaks http(s) to it (https when DOCKER_TLS_VERIFY is set).
  const scheme = url.protocol.replace(":", "");
  const protocol = scheme === "ssh" ? "ssh" : scheme === "https" || process.env.DOCKER_TLS_VERIFY ? "https" : "http";
  return new Docker({
    protocol,
    host: url.hostname,
    port: url.port || (url.protocol === "ssh:" ? 22 : 2375),
    ...(url.username ? { username: url.username } : {}),
  });
}

function describe(conn: DockerConnection) {
  return conn.host ? `DOCKER_HOST=${conn.host}` : `the socket ${conn.socketPath}`;
}

export function dockerUnavailable(conn: DockerConnection, cause: unknown): DomainError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new DomainError(
    "unavailable",
    "DOCKER_UNAVAILABLE",
    `No Docker engine answers at ${describe(conn)} (${why}). Start one (e.g. 'dockerd &' or 'systemctl start docker'), or point DOCKER_HOST / DOCKER_SOCKET at a running engine.`,
  );
}

export function dockerodeContainerRuntime(conn: DockerConnection): ContainerRuntime & { docker: Docker } {
  const docker = dockerFromConnection(conn);
  const guard = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ECONNREFUSED" || code === "EACCES" || code === "ETIMEDOUT") {
        throw dockerUnavailable(conn, err);
      }
      throw err;
    }
  };

  return {
    docker,
    async ping() {
      await guard(() => docker.ping());
    },
    async version(): Promise<RuntimeVersion> {
      const v = await guard(() => docker.version());
      return { version: v.Version, apiVersion: v.ApiVersion, os: v.Os, arch: v.Arch };
    },
    async listContainers(labels): Promise<ContainerSummary[]> {
      const filters = { label: Object.entries(labels).map(([k, v]) => `${k}=${v}`) };
      const list = await guard(() => docker.listContainers({ all: true, filters }));
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? "").replace(/^\//, ""),
        image: c.Image,
        state: c.State,
        labels: c.Labels,
      }));
    },
  };
}
