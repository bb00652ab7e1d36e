// What the services need from a container engine, in domain terms. The dockerode adapter
// implements it; no dockerode type crosses this boundary.

export interface RuntimeVersion {
  version: string;
  apiVersion: string;
  os: string;
  arch: string;
}

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  state: string; // created | running | exited | ...
  labels: Record<string, string>;
}

export type Labels = Record<string, string>;

/** A container with no network at all (loopback only): a QA gate needs none. */
export const NO_NETWORK = "none";

export interface ContainerSpec {
  name: string;
  image: string;
  command: string[];
  workdir?: string;
  env: Record<string, string>;
  labels: Labels;
  /** The project's network; the container joins it under `networkAlias`. NO_NETWORK: none at all. */
  network: string;
  networkAlias: string;
  /** The project's named volume and where it is mounted; none for a deployment (its files are in its image). */
  volume?: { name: string; mountPath: string; readOnly?: boolean };
  /** A second named volume for the service's own state (never shared with another service). */
  stateVolume?: { name: string; mountPath: string };
  /** Container port published on 127.0.0.1 with a host port the engine picks; none for a build. */
  port?: number;
  limits: { memoryMb: number; cpus: number; pids: number };
  /** Capabilities added back after dropping all of them. */
  capAdd: string[];
}

export interface ContainerDetails {
  id: string;
  name: string;
  labels: Labels;
  state: "created" | "running" | "paused" | "restarting" | "removing" | "exited" | "dead";
  exitCode: number | null;
  oomKilled: boolean;
  /** The host port on 127.0.0.1 the container port is published on, while running. */
  hostPort: number | null;
  startedAt: string | null;
  finishedAt: string | null;
}

interface PullProgress {
  /** 0..100 across the layers the engine reported so far. */
  percent: number;
  message: string;
}

export interface LogLine {
  stream: "stdout" | "stderr";
  line: string;
  ts?: string;
}

export interface RuntimeEvent {
  action: "start" | "die" | "oom" | "destroy" | "health_status";
  containerId: string;
  labels: Labels;
  exitCode?: number;
  health?: string;
}

interface NamedResource {
  name: string;
  labels: Labels;
}

export interface ImageInfo {
  id: string;
  labels: Labels;
  /** Bytes of its newest layer: what it adds on disk over the image it was made from. */
  layerBytes: number;
}

/** One sample of a running container's resource use (Docker's stats API). */
export interface ContainerStats {
  /** Percent of one CPU (200 = two CPUs busy), as `docker stats` shows it; null without a prior sample. */
  cpuPercent: number | null;
  /** Bytes in use, page cache the kernel can reclaim left out (what `docker stats` shows). */
  memoryBytes: number;
  /** The container's memory limit in bytes (the host's memory without one). */
  memoryLimitBytes: number;
}

export interface ContainerRuntime {
  /** Resolves when the engine answers; rejects with ContainerRuntimeUnavailableError otherwise. */
  ping(): Promise<void>;
  version(): Promise<RuntimeVersion>;
  /** Containers (running or not) carrying every given label. */
  listContainers(labels: Labels): Promise<ContainerSummary[]>;

  /** Creates the network unless one of that name exists. */
  ensureNetwork(name: string, labels: Labels): Promise<void>;
  removeNetwork(name: string): Promise<void>;
  /** Joins a container (name or id) to a network; already joined is fine. */
  connectNetwork(network: string, container: string): Promise<void>;
  /** Takes a container off a network; not joined, or either missing, is fine. */
  disconnectNetwork(network: string, container: string): Promise<void>;
  listNetworks(labels: Labels): Promise<NamedResource[]>;
  /** Creates the volume unless one of that name exists; true when it was created now. */
  ensureVolume(name: string, labels: Labels): Promise<{ created: boolean }>;
  removeVolume(name: string): Promise<void>;
  listVolumes(labels: Labels): Promise<NamedResource[]>;

  imagePresent(image: string): Promise<boolean>;
  pullImage(image: string, onProgress: (p: PullProgress) => void): Promise<void>;
  /** Copies a host directory's content into a volume (through a short-lived container of `image`). */
  copyIntoVolume(opts: { volume: string; image: string; sourceDir: string; labels: Labels }): Promise<void>;
  /**
   * Copies what a volume holds at this moment into a created, not yet started container, at
   * `mountPath`, through the engine's archive API (never the host's view of the volume): the
   * container's own filesystem then holds a snapshot that later edits of the volume cannot reach.
   */
  copyVolumeIntoContainer(opts: {
    volume: string;
    mountPath: string;
    /** The target, or its creation under way: the engine makes the helper meanwhile. */
    container: string | Promise<string>;
    image: string;
    labels: Labels;
  }): Promise<{ bytes: number }>;
  /** The container's filesystem as a new image `ref` (repo:tag) with these labels and default command. */
  commitContainer(
    id: string,
    opts: { ref: string; labels: Labels; command?: string[]; workdir?: string },
  ): Promise<ImageInfo>;
  /** null when there is no such image. */
  inspectImage(ref: string): Promise<ImageInfo | null>;
  /** Images carrying every given label (layerBytes is 0: not read for lists). */
  listImages(labels: Labels): Promise<ImageInfo[]>;
  /** A missing image is fine. */
  removeImage(ref: string): Promise<void>;

  createContainer(spec: ContainerSpec): Promise<{ id: string }>;
  /**
   * Starts a created or stopped container (running already is fine). Rejects with DomainError
   * CONTAINER_GONE when it cannot be started as it is: the container was removed, or the network
   * it was created on was (both Docker 404s) — recreating it is the cure.
   */
  startContainer(id: string): Promise<void>;
  /** Stops (SIGTERM, then SIGKILL after `timeoutS`); a stopped or missing container is fine. */
  stopContainer(id: string, timeoutS?: number): Promise<void>;
  /** Removes (force); a missing container is fine. */
  removeContainer(id: string): Promise<void>;
  /** Renames a container (a claimed warm-pool instance); its name on its networks follows. */
  renameContainer(id: string, name: string): Promise<void>;
  /** null when the container does not exist. */
  inspectContainer(id: string): Promise<ContainerDetails | null>;
  /** One stats sample (about a second: the engine takes two to compute CPU); null when it is missing or not running. */
  containerStats(id: string): Promise<ContainerStats | null>;
  /** Resolves with its exit code once the container has stopped; rejects when `signal` aborts. */
  waitContainer(id: string, signal?: AbortSignal): Promise<{ exitCode: number }>;

  /** Output demultiplexed into lines; ends when the container stops (follow) or the log ends. */
  logs(id: string, opts: { tail: number | "all"; follow: boolean; signal: AbortSignal }): AsyncIterable<LogLine>;
  /** Container events of containers carrying every given label, until `signal` aborts. */
  events(labels: Labels, signal: AbortSignal): AsyncIterable<RuntimeEvent>;
}
