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
