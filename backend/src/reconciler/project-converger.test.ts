// The converger with typed fakes: the one path the real engine here cannot show is an image
// pull (no registry), so its progress on the operation is checked against a fake runtime.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { plannedSteps } from "../modules/projects/operation-steps.js";
import type { ContainerDetails, ContainerSummary } from "../ports/container-runtime.port.js";
import type { OperationRecord, ProjectRecord, ReconcileStore } from "../ports/projects.port.js";
import type { ServiceSpec, TemplateRecord } from "../ports/templates.port.js";
import { operationProgress } from "./operation-progress.js";
import { type ConvergerRuntime, projectConverger } from "./project-converger.js";

let server: http.Server;
let hostPort: number;
beforeAll(async () => {
  server = http.createServer((_q, s) => s.end("ok"));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hostPort = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const spec: ServiceSpec = {
  image: "example/app:1",
  command: ["serve"],
  port: 3000,
  env: {},
  healthCheck: { path: "/", intervalMs: 50, timeoutMs: 500, retries: 1 },
  limits: { memoryMb: 64, cpus: 0.5, pids: 32 },
  restart: { maxRetries: 1 },
};
const now = new Date();
const template: TemplateRecord = {
  ...{ id: "t", slug: "t", name: "T", description: "", filesSeed: null, builtIn: false },
  ...{ services: { preview: spec }, createdAt: now, updatedAt: now },
};

/** A runtime where the image is missing and pulls in three reports; the container "runs" on our server. */
function fakeRuntime() {
  const containers = new Map<string, ContainerSummary & { details: ContainerDetails }>();
  let present = false;
  const runtime: ConvergerRuntime = {
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
      const id = `c${containers.size + 1}`;
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
        c.details = { ...c.details, state: "running", hostPort };
      }
    },
    removeContainer: async (id) => void containers.delete(id),
    stopContainer: async () => {},
    removeNetwork: async () => {},
    removeVolume: async () => {},
    copyIntoVolume: async () => {},
  };
  return { runtime, containers };
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

describe("project converger (typed fakes)", () => {
  it("pulls a missing image with its progress on the operation, then runs the service", async () => {
    const project: ProjectRecord = {
      ...{ id: "p1", name: "P", slug: "p", templateId: "t", templateName: "T", prompt: null, ownerId: "u" },
      ...{ desiredState: "running", keepData: false, status: "pending", statusMessage: null, generation: 1 },
      ...{ seededAt: null, lastActivityAt: now, createdAt: now, updatedAt: now, services: [] },
    };
    const op: OperationRecord = {
      ...{ id: "o1", projectId: "p1", userId: "u", kind: "create", status: "pending", progress: 0 },
      ...{ steps: plannedSteps("create"), error: null, createdAt: now, startedAt: null, finishedAt: null },
    };
    const { runtime, containers } = fakeRuntime();
    const { store, writes } = memoryStore(project, op);
    const converger = projectConverger({
      ...{ store, runtime, installId: "i", extraLabels: {}, appsDomain: "localhost" },
      ...{ healthTimeoutMs: 2000, stopTimeoutS: 1, signal: new AbortController().signal },
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
    const seed = writes.at(-1)?.steps?.find((s) => s.name === "seed");
    expect(seed).toMatchObject({ status: "succeeded", message: "the template has no files" });
  });
});
