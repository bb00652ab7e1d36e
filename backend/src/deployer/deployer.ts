// The deployment worker: loops with the database as their truth, like the reconciler. Woken
// after every deployment request and project change, on Docker events of production
// containers, at deadlines (warm grace, a snapshot's), and by a periodic re-scan. Two workers
// per project at most, each under its own advisory lock across every control-plane process:
// the pass (switches, the live container, retention) and the build, so a build that runs for
// minutes never holds up a stop, a start or a rollback. Neither shares the reconciler's lock.
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { ProjectLocks } from "../ports/projects.port.js";
import { LABEL } from "../reconciler/converger-context.js";
import { keyedWorkQueue } from "../reconciler/work-queue.js";
import { buildStep } from "./build-step.js";
import { deploymentPass } from "./deployment-pass.js";
import { type DeployerWorkDeps, deploymentSteps } from "./deployment-steps.js";
import { DEPLOYER_KINDS } from "./production-containers.js";

export interface DeployerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeployerDeps {
  /** What both workers use; its `signal` is aborted by stop(). */
  work: Omit<DeployerWorkDeps, "signal">;
  runtime: Pick<ContainerRuntime, "events">;
  locks: { pass: ProjectLocks; build: ProjectLocks };
  log: DeployerLog;
  installId: string;
  intervalMs: number;
  concurrency: number;
}

export function deployerFactory(deps: DeployerDeps) {
  const { locks, log } = deps;
  const aborter = new AbortController();
  const work: DeployerWorkDeps = { ...deps.work, signal: aborter.signal };
  const steps = deploymentSteps(work);
  const timers = new Map<string, NodeJS.Timeout>();
  let interval: NodeJS.Timeout | undefined;
  let watching: Promise<void> | undefined;

  /** A queue whose runs hold `lock` for the project; another process holding it means: look again soon. */
  function lockedQueue<T>(
    lock: ProjectLocks,
    what: string,
    run: (projectId: string) => Promise<T>,
    after?: (projectId: string, value: T) => void,
  ) {
    const retrying = new Set<string>();
    const queue = keyedWorkQueue(deps.concurrency, async (projectId) => {
      if (aborter.signal.aborted) return;
      try {
        const r = await lock.tryRun(projectId, () => run(projectId));
        if (r.ran) after?.(projectId, r.value);
        else if (!retrying.has(projectId)) {
          retrying.add(projectId);
          setTimeout(() => {
            retrying.delete(projectId);
            if (!aborter.signal.aborted) queue.add(projectId);
          }, 1000).unref();
        }
      } catch (err) {
        if (!aborter.signal.aborted) log.error({ err, projectId }, `deployment ${what} failed`);
      }
    });
    return queue;
  }

  const later = (projectId: string, at: number) => {
    clearTimeout(timers.get(projectId));
    const t = setTimeout(
      () => {
        timers.delete(projectId);
        passes.add(projectId);
      },
      Math.max(0, at - Date.now()) + 20,
    );
    t.unref();
    timers.set(projectId, t);
  };

  const builds = lockedQueue(locks.build, "build", (id) => build.run(id));
  const build = buildStep(work, steps, (id) => passes.add(id));
  const pass = deploymentPass(work, steps, (id) => builds.add(id));
  const passes = lockedQueue(
    locks.pass,
    "pass",
    (id) => pass.run(id),
    (id, r) => {
      if (r.wakeAt !== null) later(id, r.wakeAt);
    },
  );

  async function scan() {
    try {
      for (const id of await deps.work.deployments.projectIds()) passes.add(id);
    } catch (err) {
      log.error({ err }, "deployment re-scan failed");
    }
  }

  /** A production container that dies or is removed is started again by its project's next pass. */
  async function watchEvents() {
    const labels: Labels = { [LABEL.install]: deps.installId, [LABEL.kind]: DEPLOYER_KINDS.serve };
    while (!aborter.signal.aborted) {
      try {
        for await (const e of deps.runtime.events(labels, aborter.signal)) {
          const projectId = e.labels[LABEL.project];
          if (projectId && (e.action === "die" || e.action === "destroy")) passes.add(projectId);
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
    wake: (projectId: string) => passes.add(projectId),
    scan,
    /** Resolves when no pass or build runs or waits (tests). */
    idle: () => Promise.all([passes.idle(), builds.idle()]).then(() => {}),
    /** Stops taking work; a build in progress keeps running in Docker for the next process. */
    async stop() {
      clearInterval(interval);
      for (const t of timers.values()) clearTimeout(t);
      aborter.abort();
      const settled = Promise.all([passes.idle(), builds.idle(), watching]);
      await Promise.race([settled, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export type Deployer = ReturnType<typeof deployerFactory>;
