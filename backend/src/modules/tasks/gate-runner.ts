// Runs a task's QA gates one after another, each in a one-shot container of the template's
// image with the template's limits: no network at all, the project's files volume mounted
// read-only, the task's worktree as working directory. Output is kept bounded and saved as it
// comes (every flushMs), so the task's page streams it; a save that finds the task moved on
// (cancelled, sent back) stops the gate at once. After a required gate fails, the rest are skipped.
import { randomBytes } from "node:crypto";
import { type ContainerRuntime, type Labels, NO_NETWORK } from "../../ports/container-runtime.port.js";
import type { GateResult, QaResults } from "../../ports/tasks.port.js";
import type { ServiceSpec } from "../../ports/templates.port.js";
import { LABEL } from "../../reconciler/converger-context.js";
import { appendOutput, overallStatus } from "./qa-gates.js";

/** The `devsanctum.kind` of a gate's container; `devsanctum.task` names the task. */
export const QA_GATE_KIND = "qa-gate";
export const TASK_LABEL = "devsanctum.task";

export type GateRuntime = Pick<
  ContainerRuntime,
  | "createContainer"
  | "startContainer"
  | "stopContainer"
  | "removeContainer"
  | "inspectContainer"
  | "waitContainer"
  | "logs"
  | "listContainers"
  | "imagePresent"
  | "pullImage"
>;

export interface GateRunnerDeps {
  runtime: GateRuntime;
  installId: string;
  extraLabels?: Labels;
  /** The project's files volume (mounted read-only at /app). */
  volumeOf: (projectId: string) => string;
  flushMs?: number;
}

export interface GateRun {
  project: { id: string; slug: string };
  n: number;
  /** The template service whose image, env and limits the gates use. */
  spec: ServiceSpec;
  /** The worktree inside the containers (/app/.git/devsanctum/tasks/<n>). */
  workdir: string;
  results: QaResults;
  /** Persists the results so far; false: the task left QA meanwhile (the run stops). */
  save: (r: QaResults) => Promise<boolean>;
  /** The control plane is shutting down: the run stops at once and its gate is left running (the next process re-runs it). */
  signal?: AbortSignal;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function gateRunner(deps: GateRunnerDeps) {
  const { runtime } = deps;
  const flushMs = deps.flushMs ?? 500;
  const taskLabels = (projectId: string, n: number): Labels => ({
    ...deps.extraLabels,
    [LABEL.install]: deps.installId,
    [LABEL.project]: projectId,
    [LABEL.kind]: QA_GATE_KIND,
    [TASK_LABEL]: String(n),
  });

  /** Removes the task's gate containers (a run cut short by a crash or a cancel); idempotent. */
  async function removeAll(projectId: string, n: number) {
    for (const c of await runtime.listContainers(taskLabels(projectId, n))) await runtime.removeContainer(c.id);
  }

  /** One gate to its end; returns its result, or null when the task left QA meanwhile. */
  async function runOne(run: GateRun, index: number, publish: (g: GateResult) => Promise<boolean>) {
    const gate = run.results.gates[index] as GateResult;
    const { spec, project } = run;
    const { id } = await runtime.createContainer({
      // Fresh each run: a name taken by a container still being removed would be adopted.
      name: `ds-${deps.installId}-${project.slug}-t${run.n}-qa-${index}-${randomBytes(3).toString("hex")}`,
      image: spec.image,
      command: ["sh", "-c", gate.command],
      workdir: run.workdir,
      env: { ...spec.env, CI: "true", DEVSANCTUM_PROJECT: project.slug, DEVSANCTUM_TASK: String(run.n) },
      labels: taskLabels(project.id, run.n),
      network: NO_NETWORK,
      networkAlias: "",
      volume: { name: deps.volumeOf(project.id), mountPath: "/app", readOnly: true },
      limits: spec.limits,
      capAdd: [],
    });
    let current: GateResult = { ...gate, status: "running", output: "" };
    const started = Date.now();
    const deadline = started + gate.timeoutSeconds * 1000;
    let pending = "";
    let exited = false;
    let left = false;
    const reader = new AbortController();
    try {
      await runtime.startContainer(id);
      const reading = (async () => {
        try {
          for await (const l of runtime.logs(id, { tail: "all", follow: true, signal: reader.signal })) {
            pending += `${l.line}\n`;
          }
        } catch {
          // The container went away while we read; what we have is kept.
        }
      })();
      const waiter = new AbortController();
      const waiting = runtime.waitContainer(id, waiter.signal).then(
        () => {
          exited = true;
        },
        () => {
          exited = !waiter.signal.aborted;
        },
      );
      const flush = async () => {
        current = { ...current, output: appendOutput(current.output, pending), durationMs: Date.now() - started };
        pending = "";
        return publish(current);
      };
      if (!(await flush())) {
        waiter.abort();
        return null;
      }
      let timedOut = false;
      while (!exited) {
        await Promise.race([waiting, sleep(flushMs)]);
        if (run.signal?.aborted) {
          waiter.abort();
          left = true;
          return null;
        }
        if (exited) break;
        if (Date.now() > deadline) {
          timedOut = true;
          await runtime.stopContainer(id, 0);
          break;
        }
        if (!(await flush())) {
          waiter.abort();
          await runtime.stopContainer(id, 0);
          return null;
        }
      }
      waiter.abort();
      await Promise.race([reading, sleep(2000)]);
      const after = await runtime.inspectContainer(id);
      const durationMs = Date.now() - started;
      current = { ...current, output: appendOutput(current.output, pending), durationMs };
      pending = "";
      if (timedOut) {
        const note = `\n[devsanctum] stopped: no result within ${gate.timeoutSeconds} s\n`;
        return { ...current, status: "timed_out", exitCode: null, output: appendOutput(current.output, note) } as const;
      }
      const exitCode = after?.exitCode ?? -1;
      const oom = after?.oomKilled ? `\n[devsanctum] out of memory (limit ${spec.limits.memoryMb} MB)\n` : "";
      return {
        ...current,
        status: exitCode === 0 ? "passed" : "failed",
        exitCode,
        output: appendOutput(current.output, oom),
      } as const;
    } finally {
      reader.abort();
      if (!left) await runtime.removeContainer(id).catch(() => {});
    }
  }

  return {
    removeAll,
    labels: taskLabels,
    /** Runs every gate from the first (a run found half done after a crash starts again); the final results. */
    async run(run: GateRun): Promise<QaResults | null> {
      await removeAll(run.project.id, run.n);
      if (!(await runtime.imagePresent(run.spec.image))) await runtime.pullImage(run.spec.image, () => {});
      let results: QaResults = {
        ...run.results,
        status: "running",
        finishedAt: null,
        gates: run.results.gates.map((g) => ({
          ...g,
          status: "pending",
          exitCode: null,
          durationMs: null,
          output: "",
        })),
      };
      if (!(await run.save(results))) return null;
      for (let i = 0; i < results.gates.length; i++) {
        const blocked = results.gates.slice(0, i).some((g) => g.required && g.status !== "passed");
        const put = (g: GateResult) => {
          results = { ...results, gates: results.gates.map((x, j) => (j === i ? g : x)) };
          return run.save(results);
        };
        if (blocked) {
          const gate = results.gates[i] as GateResult;
          await put({ ...gate, status: "skipped", output: "skipped: a required gate before it failed" });
          continue;
        }
        const done = await runOne(run, i, put);
        if (!done || run.signal?.aborted) return null;
        if (!(await put(done))) return null;
      }
      results = { ...results, status: overallStatus(results.gates), finishedAt: new Date().toISOString() };
      return (await run.save(results)) ? results : null;
    },
  };
}

export type GateRunner = ReturnType<typeof gateRunner>;
