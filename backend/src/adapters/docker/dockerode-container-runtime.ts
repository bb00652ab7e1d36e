import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import Docker from "dockerode";
import tarFs from "tar-fs";
import {
  type ContainerDetails,
  type ContainerRuntime,
  type ContainerSpec,
  type ContainerSummary,
  type Labels,
  NO_NETWORK,
  type RuntimeEvent,
  type RuntimeVersion,
} from "../../ports/container-runtime.port.js";
import { allowedCapabilities } from "../../shared/capabilities.js";
import { DomainError } from "../../shared/errors.js";
import { type RawStats, statsFigures } from "./container-stats.js";
import { labelFilter, statusOf, tolerate } from "./docker-calls.js";
import { dockerodeArtifacts } from "./dockerode-artifacts.js";
import { demuxLogLines } from "./log-demux.js";

/** The uid of a named image user (`USER node` in devsanctum/* images): the Node convention. */
const NAMED_USER_UID = 1000;

export interface DockerConnection {
  /** DOCKER_HOST-style URL (unix://, tcp://, ssh://). Wins over socketPath. */
  host?: string;
  socketPath: string;
}

function dockerFromConnection(conn: DockerConnection): Docker {
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

function dockerUnavailable(conn: DockerConnection, cause: unknown): DomainError {
  const why = cause instanceof Error ? cause.message : String(cause);
  return new DomainError(
    "unavailable",
    "DOCKER_UNAVAILABLE",
    `No Docker engine answers at ${describe(conn)} (${why}). Start one (e.g. 'dockerd &' or 'systemctl start docker'), or point DOCKER_HOST / DOCKER_SOCKET at a running engine.`,
  );
}

/** The uid an image runs as: who owns the project's files it is seeded with. */
export async function imageOwner(docker: Docker, image: string): Promise<{ uid: number; asRoot: boolean }> {
  const user = (await docker.getImage(image).inspect()).Config?.User ?? "";
  const asRoot = user === "" || /^(root|0)(:|$)/.test(user);
  return { uid: asRoot ? 0 : Number.parseInt(user, 10) || NAMED_USER_UID, asRoot };
}

const EVENT_ACTIONS = ["start", "die", "oom", "destroy", "health_status"] as const;

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

  const inspect = async (id: string): Promise<ContainerDetails | null> => {
    try {
      const c = await guard(() => docker.getContainer(id).inspect());
      const binding = Object.values(c.NetworkSettings?.Ports ?? {})
        .flatMap((b) => b ?? [])
        .find((b) => b.HostIp === "127.0.0.1" && b.HostPort);
      const running = c.State.Running;
      return {
        id: c.Id,
        name: c.Name.replace(/^\//, ""),
        labels: c.Config.Labels ?? {},
        state: c.State.Status as ContainerDetails["state"],
        exitCode: running ? null : c.State.ExitCode,
        oomKilled: c.State.OOMKilled,
        hostPort: running && binding ? Number(binding.HostPort) : null,
        startedAt: c.State.StartedAt || null,
        finishedAt: c.State.FinishedAt && !c.State.FinishedAt.startsWith("0001") ? c.State.FinishedAt : null,
      };
    } catch (err) {
      if (statusOf(err) === 404) return null;
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
      const list = await guard(() => docker.listContainers({ all: true, filters: { label: labelFilter(labels) } }));
      return list.map((c) => ({
        id: c.Id,
        name: (c.Names[0] ?? "").replace(/^\//, ""),
        image: c.Image,
        state: c.State,
        labels: c.Labels,
      }));
    },

    async ensureNetwork(name, labels) {
      const existing = await guard(() => docker.listNetworks({ filters: { name: [name] } }));
      if (existing.some((n) => n.Name === name)) return;
      try {
        await tolerate(
          () => docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true }),
          409,
        );
      } catch (err) {
        if (!/non-overlapping IPv4 address pool/.test(String((err as Error).message))) throw err;
        throw new DomainError(
          "unavailable",
          "DOCKER_NO_ADDRESS_POOL",
          "The Docker engine has no address range left for another project network (one per project): give it more with default-address-pools (README: Many projects on one engine)",
        );
      }
    },
    async removeNetwork(name) {
      await tolerate(() => guard(() => docker.getNetwork(name).remove()), 404);
    },
    async connectNetwork(network, container) {
      try {
        await guard(() => docker.getNetwork(network).connect({ Container: container }));
      } catch (err) {
        // 403: "endpoint with name … already exists in network …"
        if (!(statusOf(err) === 403 && /already exists/.test(String((err as Error).message)))) throw err;
      }
    },
    async disconnectNetwork(network, container) {
      await tolerate(
        () => guard(() => docker.getNetwork(network).disconnect({ Container: container, Force: true })),
        403,
        404,
      );
    },
    async listNetworks(labels) {
      const list = await guard(() => docker.listNetworks({ filters: { label: labelFilter(labels) } }));
      return list.map((n) => ({ name: n.Name, labels: n.Labels ?? {} }));
    },
    async ensureVolume(name, labels) {
      try {
        await guard(() => docker.getVolume(name).inspect());
        return { created: false };
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
      }
      await guard(() => docker.createVolume({ Name: name, Labels: labels }));
      return { created: true };
    },
    async removeVolume(name) {
      await tolerate(() => guard(() => docker.getVolume(name).remove()), 404);
    },
    async listVolumes(labels) {
      const res = await guard(() => docker.listVolumes({ filters: { label: labelFilter(labels) } }));
      return (res.Volumes ?? []).map((v) => ({ name: v.Name, labels: v.Labels ?? {} }));
    },

    async imagePresent(image) {
      try {
        await guard(() => docker.getImage(image).inspect());
        return true;
      } catch (err) {
        if (statusOf(err) === 404) return false;
        throw err;
      }
    },
    async pullImage(image, onProgress) {
      const stream = (await guard(() => docker.pull(image))) as unknown as Readable;
      const layers = new Map<string, { current: number; total: number }>();
      await new Promise<void>((resolve, reject) => {
        docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (e: { id?: string; status?: string; progressDetail?: { current?: number; total?: number } }) => {
            if (e.id && e.progressDetail?.total) {
              layers.set(e.id, { current: e.progressDetail.current ?? 0, total: e.progressDetail.total });
            }
            let current = 0;
            let total = 0;
            for (const l of layers.values()) {
              current += l.current;
              total += l.total;
            }
            onProgress({ percent: total ? Math.floor((100 * current) / total) : 0, message: e.status ?? "" });
          },
        );
      });
    },
    async copyIntoVolume({ volume, image, sourceDir, labels }) {
      // The files must belong to the user the image runs as: without CAP_DAC_OVERRIDE a
      // container cannot write files of another uid (an agent editing them, a dev server's cache).
      const { uid: owner, asRoot } = await guard(() => imageOwner(docker, image));
      const helper = await guard(() =>
        docker.createContainer({
          Image: image,
          Cmd: ["true"],
          Labels: labels,
          // A non-root image's volume is mounted at /app first, so Docker gives the new volume
          // the owner of the image's /app; a root image's keeps root's.
          HostConfig: {
            Mounts: [{ Type: "volume", Source: volume, Target: asRoot ? "/seed" : "/app" }],
            NetworkMode: "none",
          },
        }),
      );
      try {
        const tar = tarFs.pack(sourceDir, { map: (h) => ({ ...h, uid: owner, gid: owner }) });
        await helper.putArchive(tar, { path: asRoot ? "/seed" : "/app" });
      } finally {
        await tolerate(() => helper.remove({ force: true }), 404);
      }
    },

    async createContainer(spec: ContainerSpec) {
      const port = spec.port ? `${spec.port}/tcp` : null;
      try {
        const c = await guard(() =>
          docker.createContainer({
            name: spec.name,
            Image: spec.image,
            Cmd: spec.command,
            ...(spec.workdir ? { WorkingDir: spec.workdir } : {}),
            Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
            Labels: spec.labels,
            ...(port ? { ExposedPorts: { [port]: {} } } : {}),
            HostConfig: {
              Init: true,
              Memory: spec.limits.memoryMb * 1024 * 1024,
              MemorySwap: spec.limits.memoryMb * 1024 * 1024,
              NanoCpus: Math.round(spec.limits.cpus * 1e9),
              PidsLimit: spec.limits.pids,
              Privileged: false,
              SecurityOpt: ["no-new-privileges"],
              CapDrop: ["ALL"],
              // Templates are validated against the allow-list; this is the last line of defence.
              CapAdd: allowedCapabilities(spec.capAdd ?? []).allowed,
              // Only the project's own volume: never a bind mount, so never the Docker socket.
              Mounts: [
                ...(spec.volume
                  ? [
                      {
                        Type: "volume" as const,
                        Source: spec.volume.name,
                        Target: spec.volume.mountPath,
                        ...(spec.volume.readOnly ? { ReadOnly: true } : {}),
                      },
                    ]
                  : []),
                ...(spec.stateVolume
                  ? [{ Type: "volume" as const, Source: spec.stateVolume.name, Target: spec.stateVolume.mountPath }]
                  : []),
              ],
              ...(port ? { PortBindings: { [port]: [{ HostIp: "127.0.0.1", HostPort: "" }] } } : {}),
              NetworkMode: spec.network,
              RestartPolicy: { Name: "no" },
            },
            ...(spec.network === NO_NETWORK
              ? {}
              : { NetworkingConfig: { EndpointsConfig: { [spec.network]: { Aliases: [spec.networkAlias] } } } }),
          }),
        );
        return { id: c.id };
      } catch (err) {
        // A crash between create and recording it: the name is taken by our own container.
        if (statusOf(err) === 409) {
          const existing = await inspect(spec.name);
          if (existing && existing.labels["devsanctum.project"] === spec.labels["devsanctum.project"]) {
            return { id: existing.id };
          }
        }
        throw err;
      }
    },
    async startContainer(id) {
      try {
        await tolerate(() => guard(() => docker.getContainer(id).start()), 304);
      } catch (err) {
        if (statusOf(err) !== 404) throw err;
        const why = String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message);
        throw new DomainError("not_found", "CONTAINER_GONE", `container ${id.slice(0, 12)} cannot start: ${why}`);
      }
    },
    async stopContainer(id, timeoutS = 10) {
      await tolerate(() => guard(() => docker.getContainer(id).stop({ t: timeoutS })), 304, 404);
    },
    async removeContainer(id) {
      await tolerate(() => guard(() => docker.getContainer(id).remove({ force: true })), 404, 409);
    },
    async renameContainer(id, name) {
      try {
        await guard(() => docker.getContainer(id).rename({ name }));
      } catch (err) {
        if (statusOf(err) === 404)
          throw new DomainError("not_found", "CONTAINER_GONE", `container ${id.slice(0, 12)} was removed`);
        throw err;
      }
    },
    inspectContainer: inspect,
    async containerStats(id) {
      try {
        // One-shot: the engine samples twice (about a second apart) so the CPU delta is known.
        const raw = (await guard(() => docker.getContainer(id).stats({ stream: false }))) as RawStats;
        return statsFigures(raw);
      } catch (err) {
        if (statusOf(err) === 404) return null;
        throw err;
      }
    },
    ...dockerodeArtifacts(docker, guard),

    async *logs(id, { tail, follow, signal }) {
      const container = docker.getContainer(id);
      // The engine sends every line when no tail is given.
      const opts = {
        stdout: true,
        stderr: true,
        timestamps: true,
        ...(tail === "all" ? {} : { tail }),
        abortSignal: signal,
      };
      const source: AsyncIterable<Buffer> = follow
        ? ((await guard(() => container.logs({ ...opts, follow: true }))) as unknown as Readable)
        : (async function* (buf: Buffer) {
            yield buf;
          })((await guard(() => container.logs({ ...opts, follow: false }))) as unknown as Buffer);
      try {
        yield* demuxLogLines(source);
      } catch (err) {
        if (!signal.aborted) throw err;
      } finally {
        if (follow) (source as Readable).destroy();
      }
    },

    async *events(labels, signal): AsyncIterable<RuntimeEvent> {
      const stream = (await guard(() =>
        docker.getEvents({
          filters: { type: ["container"], label: labelFilter(labels), event: [...EVENT_ACTIONS] },
          abortSignal: signal,
        }),
      )) as unknown as Readable;
      const lines = createInterface({ input: stream });
      const stop = () => {
        lines.close();
        stream.destroy();
      };
      if (signal.aborted) stop();
      signal.addEventListener("abort", stop, { once: true });
      try {
        for await (const line of lines) {
          if (!line.trim()) continue;
          const e = JSON.parse(line) as { Action: string; id: string; Actor?: { Attributes?: Labels } };
          const action = e.Action.split(":")[0] as RuntimeEvent["action"];
          if (!EVENT_ACTIONS.includes(action)) continue;
          const attrs = e.Actor?.Attributes ?? {};
          yield {
            action,
            containerId: e.id,
            labels: attrs,
            ...(attrs.exitCode !== undefined ? { exitCode: Number(attrs.exitCode) } : {}),
            ...(action === "health_status" ? { health: e.Action.split(":")[1]?.trim() ?? "unknown" } : {}),
          };
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      } finally {
        lines.close();
        stream.destroy();
      }
    },
  };
}
