// The deployment worker: a loop with the database as its truth, like the reconciler. Woken
// after every deployment request and project change, on Docker events of production
// containers, at warm deadlines, and by a periodic re-scan; one worker per project across
// every control-plane process (its own advisory-lock namespace, so a long build never holds
// up the project's start or stop).
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { DeploymentStore } from "../ports/deployments.port.js";
import type { ProjectLocks } from "../ports/projects.port.js";
import { LABEL } from "../reconciler/converger-context.js";
import { keyedWorkQueue } from "../reconciler/work-queue.js";
import type { DeploymentPass } from "./deployment-pass.js";
import { DEPLOYER_KINDS } from "./production-containers.js";

export interface DeployerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeployerDeps {
  pass: DeploymentPass;
  deployments: Pick<DeploymentStore, "projectIds">;
  runtime: Pick<ContainerRuntime, "events">;
  locks: ProjectLocks;
  log: DeployerLog;
  installId: string;
  intervalMs: number;
  concurrency: number;
  /** Aborting it stops the deployer; the pass watches it too. */
  aborter: AbortController;
}

export function deployerFactory(deps: DeployerDeps) {
  const { pass, locks, log, aborter } = deps;
  const timers = new Map<string, NodeJS.Timeout>();
  const retrying = new Set<string>();
  let interval: NodeJS.Timeout | undefined;
  let watching: Promise<void> | undefined;

  const later = (projectId: string, at: number) => {
    clearTimeout(timers.get(projectId));
    const t = setTimeout(
      () => {
        timers.delete(projectId);
        queue.add(projectId);
      },
      Math.max(0, at - Date.now()) + 20,
    );
    t.unref();
    timers.set(projectId, t);
  };

  const queue = keyedWorkQueue(deps.concurrency, async (projectId) => {
    if (aborter.signal.aborted) return;
    try {
      const r = await locks.tryRun(projectId, () => pass.run(projectId));
      if (!r.ran) {
        // Another process works on it; look again shortly, in case our write came after its read.
        if (!retrying.has(projectId)) {
          retrying.add(projectId);
          setTimeout(() => {
            retrying.delete(projectId);
            if (!aborter.signal.aborted) queue.add(projectId);
          }, 1000).unref();
        }
      } else if (r.value.wakeAt !== null) {
        later(projectId, r.value.wakeAt);
      }
    } catch (err) {
      if (!aborter.signal.aborted) log.error({ err, projectId }, "deployment pass failed");
    }
  });

  async function scan() {
    try {
      for (const id of await deps.deployments.projectIds()) queue.add(id);
    } catch (err) {
      log.error({ err }, "deployment re-scan failed");
    }
  }

  /** A production container that dies is started again by its project's next pass. */
  async function watchEvents() {
    const labels: Labels = { [LABEL.install]: deps.installId, [LABEL.kind]: DEPLOYER_KINDS.serve };
    while (!aborter.signal.aborted) {
      try {
        for await (const e of deps.runtime.events(labels, aborter.signal)) {
          const projectId = e.labels[LABEL.project];
          if (projectId && (e.action === "die" || e.action === "destroy")) queue.add(projectId);
        }
      } catch (err) {
        if (!aborter.signal.aborted) log.warn({ err }, "Docker event stream broke; reconnecting");
      }
      await new Promise((r) => {
        const t = setTimeout(r, 1000);
        aborter.signal.addEventListener("abort", () => r(clearTimeout(t)), { once: true });
      });
      if (!aborter.signal.aborted) void scan();
    }
  }

  return {
    start() {
      watching = watchEvents();
      void scan();
      interval = setInterval(() => void scan(), deps.intervalMs);
      interval.unref();
    },
    wake: (projectId: string) => queue.add(projectId),
    scan,
    /** Resolves when no pass runs or waits (tests). */
    idle: () => queue.idle(),
    /** Stops taking work; a build in progress keeps running in Docker for the next process. */
    async stop() {
      clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      aborter.abort();
      await Promise.race([Promise.all([queue.idle(), watching]), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export type Deployer = ReturnType<typeof deployerFactory>;
