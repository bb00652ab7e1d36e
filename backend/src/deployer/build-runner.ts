// Runs a build container to its end: its output into the deployment's log as it comes, its
// deadline kept, and a cancel (or the project's deletion) noticed within a poll. A build is
// not tied to this process: when the control plane stops, the build goes on, and the next
// process picks it up where it is (see deployment-pass.ts).

import { appendLines } from "../modules/deployments/deployment-log.js";
import type { ContainerRuntime } from "../ports/container-runtime.port.js";
import type { StoredLog } from "../ports/deployments.port.js";

export type BuildOutcome =
  | { kind: "exited"; exitCode: number; oomKilled: boolean }
  | { kind: "timeout" }
  | { kind: "interrupted"; reason: string }
  | { kind: "vanished" }
  /** The control plane is shutting down: the build is left running for the next one. */
  | { kind: "shutdown" };

export interface RunBuildOptions {
  runtime: Pick<ContainerRuntime, "startContainer" | "inspectContainer" | "waitContainer" | "logs" | "stopContainer">;
  containerId: string;
  /** Epoch ms after which the build is stopped. */
  deadline: number;
  log: StoredLog;
  /** Persists the log so far (throttled by the caller's interval). */
  saveLog: (log: StoredLog) => Promise<void>;
  /** A reason to stop the build now (cancel requested, project deleted), or null. */
  interrupted: () => Promise<string | null>;
  signal: AbortSignal;
  pollMs?: number;
  flushMs?: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runBuild(opts: RunBuildOptions): Promise<{ outcome: BuildOutcome; log: StoredLog }> {
  const { runtime, containerId } = opts;
  const pollMs = opts.pollMs ?? 500;
  const flushMs = opts.flushMs ?? 300;
  let log = opts.log;
  let pending: string[] = [];
  let saved = Promise.resolve();
  const flush = () => {
    if (pending.length === 0) return saved;
    log = appendLines(log, pending);
    pending = [];
    const snapshot = log;
    saved = saved.then(() => opts.saveLog(snapshot)).catch(() => {});
    return saved;
  };

  const before = await runtime.inspectContainer(containerId);
  if (!before) return { outcome: { kind: "vanished" }, log };
  if (before.state === "created") await runtime.startContainer(containerId);

  // Follows the output from its very first line: after a restart the log is rebuilt whole.
  const reader = new AbortController();
  const stopReading = () => reader.abort();
  opts.signal.addEventListener("abort", stopReading, { once: true });
  const reading = (async () => {
    try {
      for await (const l of runtime.logs(containerId, { tail: "all", follow: true, signal: reader.signal })) {
        pending.push(l.line);
      }
    } catch {
      // The container went away while we read; what we have is kept.
    }
  })();
  const waiter = new AbortController();
  let exited = false;
  // A failed wait (the container was removed) ends the wait too; inspect tells what happened.
  const waiting = runtime.waitContainer(containerId, waiter.signal).then(
    () => {
      exited = true;
    },
    () => {
      exited = !waiter.signal.aborted;
    },
  );
  const flusher = setInterval(() => void flush(), flushMs);

  let outcome: BuildOutcome | null = null;
  try {
    while (!exited) {
      if (opts.signal.aborted) {
        outcome = { kind: "shutdown" };
        break;
      }
      if (Date.now() > opts.deadline) {
        // Maybe it ended in time while nobody watched (the control plane was down).
        const d = await runtime.inspectContainer(containerId);
        const endedAt = d?.finishedAt ? Date.parse(d.finishedAt) : Number.POSITIVE_INFINITY;
        if (d && d.state !== "running" && endedAt <= opts.deadline) break;
        await runtime.stopContainer(containerId, 0);
        outcome = { kind: "timeout" };
        break;
      }
      const reason = await opts.interrupted();
      if (reason) {
        await runtime.stopContainer(containerId, 0);
        outcome = { kind: "interrupted", reason };
        break;
      }
      await Promise.race([waiting, sleep(pollMs)]);
    }
    waiter.abort();
    if (outcome?.kind !== "shutdown") {
      // The output of a stopped container ends by itself; do not wait on a stuck stream for long.
      await Promise.race([reading, sleep(2000)]);
    }
    stopReading();
    clearInterval(flusher);
    await flush();
    if (outcome) return { outcome, log };
    const after = await runtime.inspectContainer(containerId);
    if (!after) return { outcome: { kind: "vanished" }, log };
    return { outcome: { kind: "exited", exitCode: after.exitCode ?? -1, oomKilled: after.oomKilled }, log };
  } finally {
    clearInterval(flusher);
    stopReading();
    opts.signal.removeEventListener("abort", stopReading);
  }
}
