// The task worker with typed fakes, for a timing the real engine makes slow to reproduce: a task
// that leaves review while its preview is still coming up. The worker's passes on real
// containers are in test/tasks*.integration.test.ts.
import { describe, expect, it } from "vitest";
import { fakeTemplate } from "../../../test/helpers/reconciler-fakes.js";
import type { ProjectRecord } from "../../ports/projects.port.js";
import type { QaResults, TaskChanges, TaskRecord, TaskStore } from "../../ports/tasks.port.js";
import type { GateRunner } from "./gate-runner.js";
import { freshResults } from "./qa-gates.js";
import type { TaskPreviews } from "./task-preview.js";
import { taskWorker } from "./task-worker.js";

const now = new Date();
const template = fakeTemplate({ maxRetries: 1 });

/** Any use of it fails the test: the path under test has no business with it. */
const unused = <T extends object>(name: string) =>
  new Proxy({} as T, {
    get: (_t, key) => {
      throw new Error(`${name}.${String(key)} is not used on this path`);
    },
  });

const project: ProjectRecord = {
  ...{ id: "p1", name: "P", slug: "p", templateId: "t", templateName: "T", prompt: null, ownerId: "u" },
  ...{ poolKey: null },
  ...{ desiredState: "running", keepData: false, status: "running", statusMessage: null, generation: 1 },
  ...{ seededAt: now, lastActivityAt: now, createdAt: now, updatedAt: now, services: [] },
  ...{ idleTimeoutSeconds: null, sleptAt: null, productionIdle: false },
};

function reviewTask(): TaskRecord {
  return {
    ...{ id: "t1", projectId: "p1", n: 1, title: "Hello", description: "", status: "review", position: 0 },
    ...{ createdById: "u", sessionId: null, branch: "task/1", baseCommit: "abc", mergeCommit: null },
    ...{ qaResults: { ...freshResults([], now) }, reviewHistory: [], agentState: "done", agentError: null },
    ...{ agentSummary: null, agentActivityAt: null, agentMessageId: null, agentPrompt: null, agentSentAt: null },
    ...{ emptyDiff: false, previewContainerId: null, previewTarget: null, createdAt: now, updatedAt: now },
  };
}

function memoryTasks(task: TaskRecord) {
  const store: TaskStore = {
    get: async () => structuredClone(task),
    async update(_p, _n, changes: TaskChanges, from) {
      if (from && !from.includes(task.status)) return null;
      Object.assign(task, changes);
      return structuredClone(task);
    },
    listActive: async () => [],
    create: async () => {
      throw new Error("no task is created here");
    },
    list: async () => [task],
    place: async () => task,
    remove: async () => false,
  };
  return store;
}

describe("task worker (typed fakes)", () => {
  it("gives up a starting task preview when the task leaves review, and runs its gates at once", async () => {
    const task = reviewTask();
    const starts: Array<AbortSignal | undefined> = [];
    // A preview that never answers its health check: the start ends only when its signal aborts.
    const previews: TaskPreviews = {
      labels: () => ({}),
      start: (_p, _n, _spec, _worktree, signal) =>
        new Promise((_resolve, reject) => {
          starts.push(signal);
          signal?.addEventListener("abort", () => reject(new Error("health check aborted")), { once: true });
        }),
      running: async () => false,
      remove: async () => {},
      all: async () => [],
    };
    let gateRuns = 0;
    const warnings: string[] = [];
    const gates: GateRunner = {
      labels: () => ({}),
      async run(run) {
        gateRuns++;
        const done: QaResults = { ...run.results, status: "passed", finishedAt: new Date().toISOString() };
        await run.save(done);
        return done;
      },
      removeAll: async () => {},
    };
    const worker = taskWorker({
      store: memoryTasks(task),
      projects: { get: async () => project },
      templates: { get: async () => template },
      gateStore: { get: async () => null, set: async () => {} },
      git: unused("git"),
      serially: (_key, fn) => fn(),
      gates,
      previews,
      locks: { tryRun: async (_id, fn) => ({ ran: true, value: await fn() }), close: async () => {} },
      log: { info: () => {}, warn: (_o, m) => void warnings.push(m ?? "") },
      intervalMs: 60_000,
      previewWatchMs: 20,
    });

    worker.wake("p1", 1);
    await expect.poll(() => starts.length, { timeout: 2000 }).toBe(1);
    // The reviewer runs its QA again: the task is in qa with a run to do.
    Object.assign(task, {
      status: "qa",
      qaResults: freshResults([{ name: "check", command: "true", timeoutSeconds: 5, required: true, order: 0 }], now),
    });
    worker.wake("p1", 1);

    await expect.poll(() => task.status, { timeout: 2000 }).toBe("review");
    expect(starts[0]?.aborted).toBe(true);
    expect(gateRuns).toBe(1);
    expect(task.qaResults?.status).toBe("passed");
    // Given up for the task's move, not failed: nothing to retry. Back in review, a new one starts.
    expect(warnings).toEqual([]);
    await expect.poll(() => starts.length, { timeout: 2000 }).toBe(2);
    await worker.stop();
  });
});
