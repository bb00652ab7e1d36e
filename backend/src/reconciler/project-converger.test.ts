// The converger and reconciler with typed fakes, for what the real engine here cannot show: an
// image pull (no registry) and an engine that stops answering.
import { existsSync, readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fakeTemplate, healthyServerForTests } from "../../test/helpers/reconciler-fakes.js";
import type { ContainerDetails, ContainerRuntime, ContainerSummary } from "../ports/container-runtime.port.js";
import type { OperationRecord, ProjectRecord, ReconcileStore } from "../ports/projects.port.js";
import { DomainError } from "../shared/errors.js";
import { plannedSteps } from "../shared/operation-steps.js";
import type { ConvergerRuntime } from "./converger-context.js";
import { operationProgress } from "./operation-progress.js";
import { projectConverger } from "./project-converger.js";
import { reconcilerFactory } from "./reconciler.js";

const healthy = healthyServerForTests();
const template = fakeTemplate({ maxRetries: 1 });
const now = new Date();

/** A runtime where the image is missing and pulls in three reports; the container "runs" on our server. */
function fakeRuntime() {
  const containers = new Map<string, ContainerSummary & { details: ContainerDetails }>();
  const attached: string[] = [];
  const seeded: Array<{ sourceDir: string; entries: string[] }> = [];
  let present = false;
  let created = 0;
  const runtime: ConvergerRuntime & Pick<ContainerRuntime, "events" | "listNetworks" | "listVolumes"> = {
    listContainers: async () => [...containers.values()],
    imagePresent: async () => present,
    async pullImage(_image, onProgress) {
      for (const percent of [10, 60, 100]) {
        await new Promise((r) => setTimeout(r, 260)); // past the progress throttle
        onProgress({ percent, message: `Downloading ${percent}%` });
      }
      present = true;
    },
    ensureNetwork: async () => {},
    ensureVolume: async () => ({ created: true }),
    async createContainer(s) {
      const id = `c${++created}`;
      const details: ContainerDetails = {
        ...{ id, name: s.name, labels: s.labels, state: "created", exitCode: null, oomKilled: false },
        ...{ hostPort: null, startedAt: null, finishedAt: null },
      };
      containers.set(id, { id, name: s.name, image: s.image, state: "created", labels: s.labels, details });
      return { id };
    },
    inspectContainer: async (id) => containers.get(id)?.details ?? null,
    async startContainer(id) {
      const c = containers.get(id);
      if (c) {
        c.state = "running";
        c.details = { ...c.details, state: "running", hostPort: healthy.port() };
      }
    },
    removeContainer: async (id) => void containers.delete(id),
    renameContainer: async (id, name) => {
      const c = containers.get(id);
      if (c) c.name = name;
    },
    stopContainer: async () => {},
    removeNetwork: async () => {},
    connectNetwork: async (network, container) => void attached.push(`${container}@${network}`),
    disconnectNetwork: async () => {},
    removeVolume: async () => {},
    async copyIntoVolume({ sourceDir }) {
      seeded.push({ sourceDir, entries: readdirSync(sourceDir) });
    },
    listNetworks: async () => [],
    listVolumes: async () => [],
    async *events() {},
  };
  return { runtime, containers, attached, seeded };
}

function memoryStore(project: ProjectRecord, op: OperationRecord) {
  const writes: Array<Partial<OperationRecord>> = [];
  const store: ReconcileStore = {
    get: async () => project,
    template: async () => template,
    activeOperation: async () => op,
    listActiveIds: async () => [project.id],
    listKnown: async () => [],
    setStatus: async (_id, status, message) => {
      project.status = status;
      project.statusMessage = message;
    },
    markSeeded: async () => {
      project.seededAt = new Date();
    },
    markSleeping: async () => false,
    clearSleep: async () => false,
    busyReason: async () => null,
    upsertService: async () => {},
    updateService: async () => {},
    upsertRoute: async () => {},
    finishDeletion: async () => {},
    updateOperation: async (_id, patch) => {
      writes.push(structuredClone(patch));
    },
  };
  return { store, writes };
}

function newProject() {
  const project: ProjectRecord = {
    ...{ id: "p1", name: "P", slug: "p", templateId: "t", templateName: "T", prompt: null, ownerId: "u" },
    ...{ poolKey: null },
    ...{ desiredState: "running", keepData: false, status: "pending", statusMessage: null, generation: 1 },
    ...{ seededAt: null, lastActivityAt: now, createdAt: now, updatedAt: now, services: [] },
    ...{ idleTimeoutSeconds: null, sleptAt: null, productionIdle: false },
  };
  const op: OperationRecord = {
    ...{ id: "o1", projectId: "p1", userId: "u", kind: "create", status: "pending", progress: 0 },
    ...{ steps: plannedSteps("create"), error: null, createdAt: now, startedAt: null, finishedAt: null },
  };
  return { project, op };
}

/** The converger under test on these fakes; `extra` adds what one test needs (attached containers, route checks). */
const convergerOn = (
  store: ReconcileStore,
  runtime: ConvergerRuntime,
  extra: Partial<Parameters<typeof projectConverger>[0]> = {},
) =>
  projectConverger({
    connector: healthy.connector,
    ...{ store, runtime, installId: "i", extraLabels: {}, appsDomain: "localhost" },
    ...{ healthTimeoutMs: 2000, stopTimeoutS: 1, signal: new AbortController().signal },
    ...extra,
  });

describe("project converger (typed fakes)", () => {
  it("pulls a missing image with its progress on the operation, then runs the service", async () => {
    const { project, op } = newProject();
    const { runtime, containers, attached, seeded } = fakeRuntime();
    const verified: string[][] = [];
    const { store, writes } = memoryStore(project, op);
    const converger = convergerOn(store, runtime, {
      attachContainers: ["devsanctum-traefik"],
      verifyRoutes: async (hostnames) => void verified.push(hostnames),
    });
    const progress = operationProgress(store, op, () => {});
    await progress.begin();
    await converger.converge(project, progress, true);
    await progress.succeed();

    expect(project.status).toBe("running");
    expect([...containers.values()].map((c) => c.state)).toEqual(["running"]);
    const pull = writes.flatMap((w) => w.steps ?? []).filter((s) => s.name === "pull");
    expect(pull).toContainEqual({
      name: "pull",
      status: "running",
      progress: 60,
      message: "example/app:1: Downloading 60%",
    });
    expect(pull.at(-1)).toMatchObject({ status: "succeeded", progress: 100 });
    expect(writes.at(-1)).toMatchObject({ status: "succeeded", progress: 100 });
    expect(attached).toEqual(["devsanctum-traefik@ds-i-p1"]);
    expect(verified).toEqual([["p--preview.localhost"]]);
    const seed = writes.at(-1)?.steps?.find((s) => s.name === "seed");
    // A template without files is seeded with an empty .git folder: the volume then belongs to its image's user.
    expect(seed).toMatchObject({ status: "succeeded", progress: 100 });
    expect(seeded.map((s) => s.entries)).toEqual([[".git"]]);
  });

  // Regression: "every control plane leaves an empty seed folder in /tmp". The folder a template
  // without files is seeded from was made once per process and never removed.
  it("removes the empty folder a template without files was seeded from", async () => {
    const { project, op } = newProject();
    const { runtime, seeded } = fakeRuntime();
    const { store } = memoryStore(project, op);
    const converger = convergerOn(store, runtime);
    await converger.converge(
      project,
      operationProgress(store, op, () => {}),
      true,
    );
    expect(seeded).toHaveLength(1);
    expect(existsSync(seeded[0]?.sourceDir ?? "")).toBe(false);
  });

  it("leaves the project and its operation in flight while the Docker engine is unreachable", async () => {
    const { project, op } = newProject();
    const { store, writes } = memoryStore(project, op);
    const { runtime } = fakeRuntime();
    const down = () => Promise.reject(new DomainError("unavailable", "DOCKER_UNAVAILABLE", "No Docker engine answers"));
    const reconciler = reconcilerFactory({
      connector: healthy.connector,
      store,
      runtime: { ...runtime, listContainers: down },
      locks: { tryRun: async (_id, fn) => ({ ran: true, value: await fn() }), close: async () => {} },
      signals: { notify: () => {}, subscribe: () => () => {} },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      ...{ installId: "i", appsDomain: "localhost", intervalMs: 60_000, concurrency: 1, healthTimeoutMs: 1000 },
    });
    reconciler.wake(project.id);
    await reconciler.idle();
    expect(project.status).toBe("pending");
    expect(writes.map((w) => w.status).filter(Boolean)).toEqual(["running"]);
    await reconciler.stop();
  });

  // Regression: "a container removed from outside is never brought back" (issue #10). A
  // `docker rm -f` between the pass's listing and its start made startContainer answer 404
  // ("no such container"): the project failed for good with desired state running.
  it("recreates a container that vanished between listing and start, instead of failing", async () => {
    const { project, op } = newProject();
    const { runtime, containers } = fakeRuntime();
    const { store } = memoryStore(project, op);
    const converge = async () => {
      const converger = convergerOn(store, runtime);
      const progress = operationProgress(store, op, () => {});
      await converger.converge(project, progress, true);
    };
    await converge();
    const [first] = [...containers.values()];
    if (!first) throw new Error("no container");
    project.services = [
      ...[{ kind: "preview", containerId: first.id, endpoint: null, observedState: "exited" } as const],
    ].map((s) => ({ ...s, health: "unknown", restartCount: 0, lastError: null }));
    // Stopped, then removed from outside after the next pass has listed it.
    first.state = "exited";
    first.details = { ...first.details, state: "exited" };
    const start = runtime.startContainer;
    runtime.startContainer = async (id) => {
      if (id === first.id) {
        containers.delete(id);
        throw new DomainError("not_found", "CONTAINER_GONE", `container ${id} cannot start: No such container`);
      }
      return start(id);
    };
    await converge();

    expect(project.status).toBe("running");
    const now = [...containers.values()];
    expect(now.map((c) => c.state)).toEqual(["running"]);
    expect(now[0]?.id).not.toBe(first.id);
  });

  it("replaces a container Docker reports as being removed", async () => {
    const { project, op } = newProject();
    const { runtime, containers } = fakeRuntime();
    const { store } = memoryStore(project, op);
    const converger = convergerOn(store, runtime);
    await converger.converge(
      project,
      operationProgress(store, op, () => {}),
      true,
    );
    const [first] = [...containers.values()];
    if (!first) throw new Error("no container");
    first.state = "removing";
    first.details = { ...first.details, state: "removing" };
    await converger.converge(
      project,
      operationProgress(store, op, () => {}),
      true,
    );
    expect(project.status).toBe("running");
    expect([...containers.values()].map((c) => [c.id === first.id, c.state])).toEqual([[false, "running"]]);
  });

  // Regression: "a killed container is not counted as a crash when it dies during a health check"
  // (service gate). A pass that re-checked a running service's health while it was killed marked
  // it failed as it was, with restartCount 0: the project failed instead of restarting it.
  it("counts a container that dies during a later pass's health check as a crash, and restarts it", async () => {
    const { project, op } = newProject();
    const { runtime, containers } = fakeRuntime();
    const { store } = memoryStore(project, op);
    let endpoint = "";
    store.upsertService = async (_id, _kind, patch) => {
      if (patch.endpoint) endpoint = patch.endpoint;
    };
    let dieOnNextCheck = false;
    const connector = {
      fetch: async (url: string | URL, init?: RequestInit) => {
        if (dieOnNextCheck) {
          dieOnNextCheck = false;
          for (const c of containers.values()) {
            c.state = "exited";
            c.details = { ...c.details, state: "exited", exitCode: 137 };
          }
        }
        if ([...containers.values()].some((c) => c.state !== "running")) throw new TypeError("fetch failed");
        return healthy.connector.fetch(url, init);
      },
    };
    const converger = convergerOn(store, runtime, { connector });
    const converge = () =>
      converger.converge(
        project,
        operationProgress(store, op, () => {}),
        true,
      );
    await converge();
    const [first] = [...containers.values()];
    if (!first) throw new Error("no container");
    project.services = [
      { kind: "preview", containerId: first.id, endpoint, observedState: "running", health: "healthy" } as const,
    ].map((s) => ({ ...s, restartCount: 0, lastError: null }));
    dieOnNextCheck = true;
    await converge();

    expect(project.status).toBe("running");
    expect(project.services[0]).toMatchObject({ restartCount: 1, lastError: "preview exited with code 137" });
    expect([...containers.values()].map((c) => [c.id, c.state])).toEqual([[first.id, "running"]]);
  });
});
