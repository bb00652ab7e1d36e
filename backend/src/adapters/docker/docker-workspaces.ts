// Where a project's files are reached: its workspace container, one per project, labelled like
// everything else (kind=workspace), on the project's volume at /app, with no network, a
// read-only root, every capability dropped, the files' owner as user, and small limits. It is
// created and started on demand — a created or stopped project's files stay browsable — and
// stopped after WORKSPACE_IDLE_S without use. The files agent runs in it through `docker
// exec`: one serving session per project and control-plane process, plus short-lived runs for
// watching and archives. Only the Docker API is used, so it works the same with the control
// plane in a container (compose) and with a remote engine.
import { createInterface } from "node:readline";
import { PassThrough, type Readable } from "node:stream";
import type Docker from "dockerode";
import type { Labels } from "../../ports/container-runtime.port.js";
import type { WorkspaceTarget } from "../../ports/workspace.port.js";
import { WORKSPACE_KIND } from "../../ports/workspace.port.js";
import { DomainError } from "../../shared/errors.js";
import type { WorkspaceHost } from "../workspace/agent-project-files.js";
import { type AgentClient, WORKSPACE_AGENT_SOURCE, workspaceAgentClient } from "../workspace/workspace-agent-client.js";
import { imageOwner } from "./dockerode-container-runtime.js";

export interface DockerWorkspacesOptions {
  docker: Docker;
  installId: string;
  /** Added to every container (devsanctum.test-run in tests). */
  extraLabels?: Labels;
  volumeName: (projectId: string) => string;
  image: string;
  idleMs: number;
  limits: { memoryMb: number; cpus: number; pids: number };
  log?: { warn(obj: object, msg?: string): void };
}

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;
const notReady = () =>
  new DomainError(
    "conflict",
    "FILES_NOT_READY",
    "The project's files do not exist yet: they are made when the project first starts; try again in a moment",
  );

export function dockerWorkspaces(opts: DockerWorkspacesOptions): WorkspaceHost & {
  /** Stops workspaces unused for the idle time (runs by itself every few seconds). */
  stopIdle(): Promise<void>;
  close(): Promise<void>;
} {
  const { docker } = opts;
  const sessions = new Map<string, Promise<AgentClient>>();
  const starting = new Map<string, Promise<{ id: string; uid: number }>>();
  const lastUsed = new Map<string, number>();
  const streaming = new Map<string, number>();
  const startedAt = Date.now();
  const nameOf = (projectId: string) => `ds-${opts.installId}-${projectId}-workspace`;
  const labelsOf = (projectId: string): Labels => ({
    ...opts.extraLabels,
    "devsanctum.install": opts.installId,
    "devsanctum.project": projectId,
    "devsanctum.kind": WORKSPACE_KIND,
  });
  const touch = (projectId: string) => lastUsed.set(projectId, Date.now());

  async function create(t: WorkspaceTarget) {
    // Docker would make a missing volume on the fly, unlabelled: a leak. The reconciler makes it.
    try {
      await docker.getVolume(opts.volumeName(t.projectId)).inspect();
    } catch (err) {
      if (statusOf(err) === 404) throw notReady();
      throw err;
    }
    const { uid } = t.ownerImage ? await imageOwner(docker, t.ownerImage) : { uid: 1000 };
    const c = await docker.createContainer({
      name: nameOf(t.projectId),
      Image: opts.image,
      Cmd: ["sleep", "2147483647"],
      User: String(uid),
      WorkingDir: "/app",
      Env: ["HOME=/tmp", "WORKSPACE_ROOT=/app"],
      Labels: { ...labelsOf(t.projectId), "devsanctum.workspace-uid": String(uid) },
      HostConfig: {
        Init: true,
        Memory: opts.limits.memoryMb * 1024 * 1024,
        MemorySwap: opts.limits.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(opts.limits.cpus * 1e9),
        PidsLimit: opts.limits.pids,
        Privileged: false,
        SecurityOpt: ["no-new-privileges"],
        CapDrop: ["ALL"],
        ReadonlyRootfs: true,
        Tmpfs: { "/tmp": "rw,nosuid,nodev,size=64m" },
        NetworkMode: "none",
        Mounts: [{ Type: "volume", Source: opts.volumeName(t.projectId), Target: "/app" }],
        RestartPolicy: { Name: "no" },
      },
    });
    return { id: c.id, uid };
  }

  /** The project's workspace container, running; created when missing or of another image. */
  async function ensureRunning(t: WorkspaceTarget): Promise<{ id: string; uid: number }> {
    let info: Docker.ContainerInspectInfo | null = null;
    try {
      info = await docker.getContainer(nameOf(t.projectId)).inspect();
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
    if (info && info.Config.Image !== opts.image) {
      await docker.getContainer(info.Id).remove({ force: true });
      info = null;
    }
    let c = info ? { id: info.Id, uid: Number(info.Config.Labels?.["devsanctum.workspace-uid"] ?? 1000) } : null;
    if (!c) {
      try {
        c = await create(t);
      } catch (err) {
        if (statusOf(err) !== 409) throw err;
        // Another process made it a moment ago.
        const other = await docker.getContainer(nameOf(t.projectId)).inspect();
        c = { id: other.Id, uid: Number(other.Config.Labels?.["devsanctum.workspace-uid"] ?? 1000) };
      }
    }
    if (!info?.State.Running) {
      try {
        await docker.getContainer(c.id).start();
      } catch (err) {
        if (statusOf(err) !== 304) throw err;
      }
    }
    return c;
  }

  const running = (t: WorkspaceTarget) => {
    let p = starting.get(t.projectId);
    if (!p) {
      p = ensureRunning(t).finally(() => starting.delete(t.projectId));
      starting.set(t.projectId, p);
    }
    return p;
  };

  /** `node -e <agent> <mode>` in the workspace, stdout and stderr demultiplexed. */
  async function execAgent(t: WorkspaceTarget, mode: string, stdin: boolean) {
    const { id } = await running(t);
    const exec = await docker.getContainer(id).exec({
      Cmd: ["node", "--input-type=module", "-e", WORKSPACE_AGENT_SOURCE, mode],
      AttachStdin: stdin,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const socket = (await exec.start({ hijack: true, stdin })) as unknown as NodeJS.ReadWriteStream & {
      destroy(): void;
    };
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    docker.modem.demuxStream(socket, stdout, stderr);
    let errText = "";
    stderr.on("data", (d: Buffer) => {
      if (errText.length < 4096) errText += d.toString("utf8");
    });
    const finish = () => {
      stdout.end();
      if (errText.trim())
        opts.log?.warn({ projectId: t.projectId, mode, stderr: errText.trim() }, "workspace agent said");
    };
    socket.on("end", finish);
    socket.on("close", finish);
    socket.on("error", () => finish());
    return { socket, stdout };
  }

  async function openSession(t: WorkspaceTarget): Promise<AgentClient> {
    const { socket, stdout } = await execAgent(t, "serve", true);
    const client = workspaceAgentClient({
      write: (line) => socket.write(line),
      lines: createInterface({ input: stdout, crlfDelay: Number.POSITIVE_INFINITY }),
      close: () => socket.end(),
    });
    void client.closed.then(() => sessions.delete(t.projectId));
    return client;
  }

  async function stopIdle() {
    const now = Date.now();
    const list = await docker.listContainers({
      filters: { label: [`devsanctum.install=${opts.installId}`, `devsanctum.kind=${WORKSPACE_KIND}`] },
    });
    for (const c of list) {
      const projectId = c.Labels["devsanctum.project"] ?? "";
      if ((streaming.get(projectId) ?? 0) > 0) continue;
      if (now - (lastUsed.get(projectId) ?? startedAt) < opts.idleMs) continue;
      const session = sessions.get(projectId);
      sessions.delete(projectId);
      void session?.then((s) => s.close()).catch(() => {});
      lastUsed.delete(projectId);
      await docker
        .getContainer(c.Id)
        .stop({ t: 1 })
        .catch(() => {});
    }
  }
  const timer = setInterval(
    () => void stopIdle().catch((err) => opts.log?.warn({ err }, "stopping idle workspaces failed")),
    Math.max(1000, Math.min(30_000, opts.idleMs / 2)),
  );
  timer.unref();

  return {
    async session(t) {
      touch(t.projectId);
      let s = sessions.get(t.projectId);
      if (!s) {
        s = openSession(t);
        sessions.set(t.projectId, s);
        s.catch(() => sessions.delete(t.projectId));
      }
      return s;
    },
    async stream(t, mode, signal): Promise<Readable> {
      touch(t.projectId);
      const { socket, stdout } = await execAgent(t, mode, mode === "watch");
      streaming.set(t.projectId, (streaming.get(t.projectId) ?? 0) + 1);
      let done = false;
      const release = () => {
        if (done) return;
        done = true;
        streaming.set(t.projectId, Math.max(0, (streaming.get(t.projectId) ?? 1) - 1));
        touch(t.projectId);
        // Closing our end closes the agent's stdin: a watcher exits by itself.
        socket.end();
        socket.destroy();
      };
      if (signal.aborted) release();
      signal.addEventListener("abort", release, { once: true });
      stdout.on("end", release);
      stdout.on("close", release);
      return stdout;
    },
    stopIdle,
    async close() {
      clearInterval(timer);
      for (const s of sessions.values()) void s.then((c) => c.close()).catch(() => {});
      sessions.clear();
    },
  };
}
