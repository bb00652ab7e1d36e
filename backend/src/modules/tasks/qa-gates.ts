// QA gates in pure terms (issue #14): which gates apply (the project's own, else the template's),
// a fresh run of them, the gate that blocks an approval, and a gate's output kept bounded.
import type { GateResult, QaResults } from "../../ports/tasks.port.js";
import type { QaGate } from "../../ports/templates.port.js";

/** What a gate keeps of its output: the last 64 KB (the end of a compiler's output says what failed). */
export const MAX_GATE_OUTPUT = 64 * 1024;
const CUT = "… (earlier output cut)\n";

export function effectiveGates(template: QaGate[] | null, project: QaGate[] | null) {
  const gates = project ?? template ?? [];
  return {
    gates: [...gates].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name)),
    source: project ? ("project" as const) : ("template" as const),
  };
}

export function freshResults(gates: QaGate[], now: Date): QaResults {
  const none = gates.length === 0;
  return {
    status: none ? "passed" : "running",
    startedAt: now.toISOString(),
    finishedAt: none ? now.toISOString() : null,
    override: null,
    gates: gates.map((g) => ({ ...g, status: "pending", exitCode: null, durationMs: null, output: "" })),
  };
}

const failed = (g: GateResult) => g.status === "failed" || g.status === "timed_out";

/** The required gate that stops an approval: failed or timed out, or (when the run ended) never passed. */
export function blockingGate(r: QaResults | null): GateResult | null {
  if (!r || r.status === "passed") return null;
  return (
    r.gates.find((g) => g.required && failed(g)) ?? r.gates.find((g) => g.required && g.status !== "passed") ?? null
  );
}

export function overallStatus(gates: GateResult[]): "passed" | "failed" {
  return gates.some((g) => g.required && failed(g)) ? "failed" : "passed";
}

/** `output` + `more`, keeping the last MAX_GATE_OUTPUT characters and saying so when cut. */
export function appendOutput(output: string, more: string, max = MAX_GATE_OUTPUT): string {
  const all = output + more;
  if (all.length <= max) return all;
  return CUT + all.slice(all.length - (max - CUT.length));
}

/** A run stopped before its end (cancel, changes requested, approval over it): unfinished gates are skipped. */
export function cancelledResults(r: QaResults, now: Date): QaResults {
  return {
    ...r,
    status: "cancelled",
    finishedAt: now.toISOString(),
    gates: r.gates.map((g) => (g.status === "running" || g.status === "pending" ? { ...g, status: "skipped" } : g)),
  };
}
