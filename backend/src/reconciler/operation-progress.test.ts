import { describe, expect, it } from "vitest";
import type { OperationMetrics } from "../ports/metrics.port.js";
import type { OperationRecord } from "../ports/projects.port.js";
import { plannedSteps } from "../shared/operation-steps.js";
import { operationProgress } from "./operation-progress.js";

const now = new Date();
const op: OperationRecord = {
  ...{ id: "o1", projectId: "p1", userId: "u", kind: "create", status: "pending", progress: 0 },
  ...{ steps: plannedSteps("create"), error: null, createdAt: now, startedAt: null, finishedAt: null },
};
const store = { updateOperation: async () => {} };

function recorded() {
  const finished: string[] = [];
  const steps: string[] = [];
  const metrics: OperationMetrics = {
    finished: (kind, outcome) => finished.push(`${kind}:${outcome}`),
    step: (kind, step, seconds) => {
      expect(seconds).toBeGreaterThanOrEqual(0);
      steps.push(`${kind}:${step}`);
    },
  };
  return { metrics, finished, steps };
}

describe("operationProgress metrics", () => {
  it("times each step it runs, failed ones too, and counts how the operation ended", async () => {
    const m = recorded();
    const progress = operationProgress(store, op, () => {}, m.metrics);
    await progress.begin();
    await progress.run("pull", async () => {});
    await expect(
      progress.run("create", async () => {
        throw new Error("no space left");
      }),
    ).rejects.toThrow();
    await progress.skip("seed", "nothing to seed");
    await progress.fail("no space left");
    expect(m.steps).toEqual(["create:pull", "create:create"]);
    expect(m.finished).toEqual(["create:failed"]);
  });

  it("times the steps of a pass no operation asked for under kind none, and counts no operation", async () => {
    const m = recorded();
    const progress = operationProgress(store, null, () => {}, m.metrics);
    await progress.run("start", async () => {});
    await progress.succeed();
    expect(m.steps).toEqual(["none:start"]);
    expect(m.finished).toEqual([]);
  });
});

describe("operationProgress writes", () => {
  /** A database that takes `ms` per write and records what each write carried. */
  function slowStore(ms: number) {
    const writes: Array<{ steps: string; status?: string }> = [];
    let inFlight = 0;
    let overlapped = false;
    return {
      writes,
      overlapped: () => overlapped,
      updateOperation: async (
        _id: string,
        data: { steps?: Array<{ name: string; status: string }>; status?: string },
      ) => {
        inFlight += 1;
        if (inFlight > 1) overlapped = true;
        const steps = (data.steps ?? []).map((s) => `${s.name}:${s.status}`).join(",");
        await new Promise((r) => setTimeout(r, ms));
        writes.push({ steps, ...(data.status ? { status: data.status } : {}) });
        inFlight -= 1;
      },
    };
  }

  it("does not make a step wait for the database, never overlaps writes, and writes the end last and whole", async () => {
    const db = slowStore(30);
    const progress = operationProgress(db, op, () => {});
    await progress.begin();
    for (const name of ["pull", "network", "volume", "seed"] as const) await progress.run(name, async () => {});
    // Four steps, eight state changes, and only begin's write has landed: none of them waited.
    expect(db.writes).toHaveLength(1);
    await progress.succeed();
    expect(db.overlapped()).toBe(false);
    // Coalesced: fewer writes than changes, and the last one is the outcome with every step done.
    expect(db.writes.length).toBeLessThan(1 + 8 + 1);
    const last = db.writes.at(-1);
    expect(last?.status).toBe("succeeded");
    expect(last?.steps).toContain("seed:succeeded");
    expect(last?.steps).not.toContain("running");
  });
});
