import { describe, expect, it } from "vitest";
import type { GateResult, QaResults } from "../../ports/tasks.port.js";
import {
  appendOutput,
  blockingGate,
  cancelledResults,
  effectiveGates,
  freshResults,
  MAX_GATE_OUTPUT,
  overallStatus,
} from "./qa-gates.js";

const gate = (name: string, order: number, required = true) => ({
  name,
  command: `run ${name}`,
  timeoutSeconds: 10,
  required,
  order,
});
const result = (g: ReturnType<typeof gate>, status: GateResult["status"]): GateResult => ({
  ...g,
  status,
  exitCode: status === "passed" ? 0 : status === "failed" ? 1 : null,
  durationMs: null,
  output: "",
});
const NOW = new Date("2026-12-02T19:00:00Z");

describe("QA gates", () => {
  it("applies the project's own gates over the template's, in order", () => {
    const template = [gate("build", 2), gate("typecheck", 0)];
    expect(effectiveGates(template, null)).toEqual({
      source: "template",
      gates: [gate("typecheck", 0), gate("build", 2)],
    });
    expect(effectiveGates(template, [gate("quick", 0)])).toEqual({ source: "project", gates: [gate("quick", 0)] });
    expect(effectiveGates(null, null)).toEqual({ source: "template", gates: [] });
  });

  it("starts a run with every gate pending; no gates at all is a pass at once", () => {
    const r = freshResults([gate("a", 0)], NOW);
    expect(r).toMatchObject({ status: "running", finishedAt: null, override: null });
    expect(r.gates[0]).toMatchObject({ name: "a", status: "pending", exitCode: null, output: "" });
    expect(freshResults([], NOW)).toMatchObject({ status: "passed", finishedAt: NOW.toISOString(), gates: [] });
  });

  it("blocks an approval on the first required gate that failed or timed out, never on an advisory one", () => {
    const a = gate("typecheck", 0);
    const b = gate("lint", 1, false);
    const c = gate("build", 2);
    const run = (gates: GateResult[], status: QaResults["status"] = "failed"): QaResults => ({
      status,
      startedAt: NOW.toISOString(),
      finishedAt: null,
      override: null,
      gates,
    });
    expect(blockingGate(null)).toBeNull();
    expect(blockingGate(run([result(a, "passed"), result(b, "failed"), result(c, "passed")], "passed"))).toBeNull();
    expect(blockingGate(run([result(a, "passed"), result(b, "failed"), result(c, "timed_out")]))?.name).toBe("build");
    expect(blockingGate(run([result(a, "failed"), result(b, "skipped"), result(c, "skipped")]))?.name).toBe(
      "typecheck",
    );
    // A cancelled run blocks on the first required gate that never passed.
    expect(blockingGate(run([result(a, "passed"), result(b, "passed"), result(c, "skipped")], "cancelled"))?.name).toBe(
      "build",
    );
    expect(overallStatus([result(a, "passed"), result(b, "failed")])).toBe("passed");
    expect(overallStatus([result(a, "timed_out"), result(b, "passed")])).toBe("failed");
  });

  it("skips the unfinished gates of a cancelled run", () => {
    const r = cancelledResults(
      {
        ...freshResults([gate("a", 0), gate("b", 1)], NOW),
        gates: [result(gate("a", 0), "running"), result(gate("b", 1), "pending")],
      },
      NOW,
    );
    expect(r.status).toBe("cancelled");
    expect(r.gates.map((g) => g.status)).toEqual(["skipped", "skipped"]);
  });

  it("keeps the last 64 KB of a gate's output and says it cut the rest", () => {
    expect(appendOutput("a\n", "b\n")).toBe("a\nb\n");
    const long = appendOutput("x".repeat(MAX_GATE_OUTPUT), "the end\n");
    expect(long).toHaveLength(MAX_GATE_OUTPUT);
    expect(long.startsWith("… (earlier output cut)\n")).toBe(true);
    expect(long.endsWith("the end\n")).toBe(true);
  });
});
