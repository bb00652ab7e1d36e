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

export interface ContainerRuntime {
  /** Resolves when the engine answers; rejects with ContainerRuntimeUnavailableError otherwise. */
  ping(): Promise<void>;
  version(): Promise<RuntimeVersion>;
  /** Containers (running or not) carrying every given label. */
  listContainers(labels: Record<string, string>): Promise<ContainerSummary[]>;
}
