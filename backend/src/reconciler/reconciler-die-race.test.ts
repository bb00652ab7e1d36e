// Regression: Docker's die events were handled outside the project's lock, so a late die of the
// previous run, arriving while a start pass was in flight, was counted as a crash over the pass's
// results (restartCount 1, "preview exited with code 143; restarting"). Typed fakes hold the pass
// at a point and deliver the event there.
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeTemplate, healthyServerForTests } from "../../test/helpers/reconciler-fakes.js";
import type { ContainerDetails, ContainerRuntime, RuntimeEvent } from "../ports/container-runtime.port.js";
import type { ProjectRecord, ReconcileStore, ServiceInstanceRecord } from "../ports/projects.port.js";
import type { ConvergerRuntime } from "./converger-context.js";
import { type Reconciler, reconcilerFactory } from "./reconciler.js";

const healthy = healthyServerForTests();
const template = fakeTemplate({ maxRetries: 2 });
const now = new Date();

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Docker's event stream; `delivered` resolves once the reconciler has handled what was pushed. */
function eventStream() {
  const items: RuntimeEvent[] = [];
  let wake = () => {};
  let drained = deferred();
  return {
    push(e: RuntimeEvent) {
      drained = deferred();
      items.push(e);
      wake();
    },
    delivered: () => drained.promise,
    async *iterate(signal: AbortSignal): AsyncIterable<RuntimeEvent> {
      while (!signal.aborted) {
        const e = items.shift();
        if (e) {
          yield e;
          continue;
        }
        // Asked for the next event: the previous one has been handled.
        drained.resolve();
        await new Promise<void>((r) => {
          wake = r;
          signal.addEventListener("abort", () => r(), { once: true });
        });
      }
    },
  };
}

/** Containers that "run" on our HTTP server; `holdStart`/`holdRoute` stop a pass at that step. */
function fakeEngine() {
  const containers = new Map<string, ContainerDetails>();
  const events = eventStream();
  const gates: { start?: Promise<void>; route?: Promise<void> } = {};
  const reached = { start: deferred(), route: deferred() };
  let created = 0;
  const runtime: ConvergerRuntime & Pick<ContainerRuntime, "events" | "listNetworks" | "listVolumes"> = {
    listContainers: async () =>
      [...containers.values()].map((d) => ({
        id: d.id,
        name: d.name,
        image: "example/app:1",
        state: d.state,
        labels: d.labels,
      })),
    imagePresent: async () => true,
    pullImage: async () => {},
    ensureNetwork: async () => {},
    ensureVolume: async () => ({ created: false }),
    async createContainer(s) {
      const id = `c${++created}`;
      containers.set(id, {
        ...{ id, name: s.name, labels: s.labels, state: "created", exitCode: null, oomKilled: false },
        ...{ hostPort: null, startedAt: null, finishedAt: null },
      });
      return { id };
    },
    inspectContainer: async (id) => structuredClone(containers.get(id) ?? null),
    async startContainer(id) {
      reached.start.resolve();
      await gates.start;
      const c = containers.get(id);
      if (c) Object.assign(c, { state: "running", hostPort: healthy.port(), exitCode: null, oomKilled: false });
    },
    async stopContainer(id) {
      const c = containers.get(id);
      if (c?.state === "running") Object.assign(c, { state: "exited", hostPort: null, exitCode: 143 });
    },
    removeContainer: async (id) => void containers.delete(id),
    renameContainer: async (id, name) => {
      const c = containers.get(id);
      if (c) c.name = name;
    },
    removeNetwork: async () => {},
    connectNetwork: async () => {},
    disconnectNetwork: async () => {},
    removeVolume: async () => {},
    copyIntoVolume: async () => {},
    listNetworks: async () => [],
    listVolumes: async () => [],
    events: (_labels, signal) => events.iterate(signal),
  };
  /** What Docker reports when a container ends, as the adapter maps it. */
  const die = (id: string): RuntimeEvent => {
    const c = containers.get(id);
    return { action: "die", containerId: id, labels: c?.labels ?? {}, exitCode: c?.exitCode ?? 0 };
  };
  return { runtime, containers, events, gates, reached, die };
}

/** The project row as the database keeps it; every read is a fresh copy. */
function memoryStore(project: ProjectRecord): ReconcileStore {
  const service = (kind: ServiceInstanceRecord["kind"]) => project.services.find((s) => s.kind === kind);
  return {
    get: async () => structuredClone(project),
    template: async () => template,
    activeOperation: async () => null,
    listActiveIds: async () => [project.id],
    listKnown: async () => [],
    setStatus: async (_id, status, message) => {
      Object.assign(project, { status, statusMessage: message });
    },
    markSeeded: async () => {
      project.seededAt = new Date();
    },
    markSleeping: async () => false,
    clearSleep: async () => false,
    busyReason: async () => null,
    upsertService: async (_id, kind, patch) => {
      if (!service(kind)) {
        project.services.push({
          ...{ kind, containerId: null, endpoint: null, observedState: "absent" },
          ...{ health: "unknown", restartCount: 0, lastError: null },
        });
      }
      Object.assign(service(kind) ?? {}, patch);
    },
    updateService: async (_id, kind, { incrementRestarts, ...patch }) => {
      const s = service(kind);
      if (!s) return;
      Object.assign(s, patch);
      if (incrementRestarts) s.restartCount += 1;
    },
    upsertRoute: async () => {},
    finishDeletion: async () => {},
    updateOperation: async () => {},
  };
}

let reconciler: Reconciler | undefined;
afterEach(async () => {
  await reconciler?.stop();
  reconciler = undefined;
});

/** A project whose preview runs as c1, with the reconciler watching the fake engine's events. */
async function runningProject() {
  const project: ProjectRecord = {
    ...{ id: "p1", name: "P", slug: "p", templateId: "t", templateName: "T", prompt: null, ownerId: "u" },
    ...{ poolKey: null },
    ...{ desiredState: "running", keepData: false, status: "pending", statusMessage: null, generation: 1 },
    ...{ seededAt: null, lastActivityAt: now, createdAt: now, updatedAt: now, services: [] },
    ...{ idleTimeoutSeconds: null, sleptAt: null, productionIdle: false },
  };
  const engine = fakeEngine();
  const store = memoryStore(project);
  let routeGate: Promise<void> | undefined;
  const lock = { elsewhere: false };
  reconciler = reconcilerFactory({
    connector: healthy.connector,
    store,
    runtime: engine.runtime,
    locks: {
      tryRun: async (_id, fn) => (lock.elsewhere ? { ran: false } : { ran: true, value: await fn() }),
      close: async () => {},
    },
    signals: { notify: () => {}, subscribe: () => () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    ...{ installId: "i", appsDomain: "localhost", intervalMs: 600_000, concurrency: 2, healthTimeoutMs: 2000 },
    verifyRoutes: async () => {
      engine.reached.route.resolve();
      await routeGate;
    },
  });
  reconciler.start();
  await reconciler.scan();
  await reconciler.idle();
  expect(project).toMatchObject({ status: "running", services: [{ containerId: "c1", observedState: "running" }] });
  const holdRoute = () => {
    const gate = deferred();
    engine.reached.route = deferred();
    routeGate = gate.promise;
    return gate.resolve;
  };
  return { project, engine, rec: reconciler, holdRoute, lock };
}

describe("a die event racing a reconcile pass", () => {
  it("a late die of the stopped run, delivered while the start pass is in flight, is not a crash", async () => {
    const { project, engine, rec } = await runningProject();
    project.desiredState = "stopped";
    rec.wake(project.id);
    await rec.idle();
    expect(project.status).toBe("stopped");
    expect(engine.containers.get("c1")?.state).toBe("exited");

    // The user's start; the stop's die event is still on its way (a loaded machine).
    project.desiredState = "running";
    const release = deferred();
    engine.gates.start = release.promise;
    rec.wake(project.id);
    await engine.reached.start.promise;
    engine.events.push(engine.die("c1"));
    await engine.events.delivered();
    release.resolve();
    await rec.idle();

    expect(project).toMatchObject({ status: "running", statusMessage: null });
    expect(project.services).toEqual([
      expect.objectContaining({ containerId: "c1", observedState: "running", restartCount: 0, lastError: null }),
    ]);
  });

  it("the same late die, handled before the start pass begins, is not a crash either", async () => {
    const { project, engine, rec } = await runningProject();
    project.desiredState = "stopped";
    rec.wake(project.id);
    await rec.idle();
    project.desiredState = "running";
    engine.events.push(engine.die("c1"));
    await engine.events.delivered();
    rec.wake(project.id);
    await rec.idle();
    expect(project).toMatchObject({ status: "running", statusMessage: null });
    expect(project.services[0]).toMatchObject({ observedState: "running", restartCount: 0, lastError: null });
  });

  it("a real crash during a pass is counted once, with its reason, and the service restarted", async () => {
    const { project, engine, rec, holdRoute } = await runningProject();
    const release = holdRoute();
    rec.wake(project.id); // a re-scan pass, held at its route step
    await engine.reached.route.promise;
    Object.assign(engine.containers.get("c1") ?? {}, { state: "exited", exitCode: 137, oomKilled: true });
    engine.events.push(engine.die("c1"));
    await engine.events.delivered();
    release();
    await rec.idle();

    expect(project).toMatchObject({ status: "running", statusMessage: null });
    expect(project.services[0]).toMatchObject({
      containerId: "c1",
      observedState: "running",
      health: "healthy",
      restartCount: 1,
      lastError: "preview ran out of memory (limit 64 MB)",
    });
    expect(engine.containers.get("c1")?.state).toBe("running");
  });

  it("events while another process holds the lock are kept; a container removed since is counted with its die's reason", async () => {
    const { project, engine, rec, lock } = await runningProject();
    lock.elsewhere = true;
    Object.assign(engine.containers.get("c1") ?? {}, { state: "exited", exitCode: 3 });
    engine.events.push(engine.die("c1"));
    await engine.events.delivered();
    engine.containers.delete("c1");
    engine.events.push({ action: "destroy", containerId: "c1", labels: engine.die("c1").labels });
    await engine.events.delivered();
    expect(project.services[0]).toMatchObject({ containerId: "c1", restartCount: 0 });
    lock.elsewhere = false; // the keyed queue looks again a second later

    await vi.waitFor(() => expect(project.services[0]?.containerId).toBe("c2"), { timeout: 5000 });
    await rec.idle();
    expect(project.status).toBe("running");
    expect(project.services[0]).toMatchObject({
      observedState: "running",
      restartCount: 1,
      lastError: "preview exited with code 3",
    });
  });
});
