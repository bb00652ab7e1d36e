import { describe, expect, it } from "vitest";
import { overallProgress, plannedSteps } from "./operation-steps.js";

describe("operation progress", () => {
  it("counts finished steps and a running step's own progress", () => {
    const steps = plannedSteps("delete");
    expect(overallProgress(steps)).toBe(0);
    steps[0] = { name: "stop", status: "succeeded" };
    steps[1] = { name: "remove", status: "running", progress: 50 };
    expect(overallProgress(steps)).toBe(50);
    expect(overallProgress([])).toBe(100);
  });
});
