// The desired-state controller: level-triggered and idempotent. Woken after every write, on
// Docker events, and by a periodic full re-scan; one worker per project across processes.
import type { ActivityView } from "../ports/activity.port.js";
import type { ContainerRuntime, Labels, RuntimeEvent } from "../ports/container-runtime.port.js";
import type { OperationMetrics, ReconcileOutcome, ReconcilerMetrics } from "../ports/metrics.port.js";
import type { PoolStore, ProjectLocks, ProjectRecord, ProjectSignals, ReconcileStore } from "../ports/projects.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { TemplateRecord } from "../ports/templates.port.js";
import { DomainError } from "../shared/errors.js";
import { containerEvents } from "./container-events.js";
import { type ConvergerRuntime, LABEL, ProjectFailure, type ServiceSecrets, Superseded } from "./converger-context.js";
import { idleLongEnough } from "./idle-policy.js";
import { operationProgress } from "./operation-progress.js";
import { projectConverger } from "./project-converger.js";
import { warmPool } from "./warm-pool.js";
import { keyedWorkQueue } from "./work-queue.js";

export interface ReconcilerLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ReconcilerDeps {
  store: ReconcileStore;
  runtime: ConvergerRuntime & Pick<ContainerRuntime, "events" | "listNetworks" | "listVolumes">;
  locks: ProjectLocks;
  signals: ProjectSignals;
  log: ReconcilerLog;
  installId: string;
  extraLabels?: Labels;
  appsDomain: string;
  intervalMs: number;
  concurrency: number;
  healthTimeoutMs: number;
  stopTimeoutS?: number;
  serviceSecrets?: ServiceSecrets;
  connector: Pick<ServiceConnector, "fetch">;
  attachContainers?: string[];
  /** What every running project needs first (the service gate); also repaired by each re-scan. */
  prepare?: () => Promise<void>;
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
  initRepository?: (p: ProjectRecord) => Promise<void>;
  /** Idle stop (issue #15): the installation's default timeout and what this process saw of activity. */
  idle?: { defaultTimeoutS: number; activity: ActivityView; now?: () => number };
  /** Passes by outcome and duration (GET /metrics). */
  metrics?: ReconcilerMetrics;
  /** Operations by kind and outcome, step durations (GET /metrics). */
  operations?: OperationMetrics;
  /** The warm pool (issue #16): kept with every re-scan and after each claim. */
  warmPool?: { store: PoolStore; templates: () => Promise<TemplateRecord[]>; budgetMb: number };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });

export function reconcilerFactory(deps: ReconcilerDeps) {
  const { store, runtime, locks, signals, log } = deps;
  const aborter = new AbortController();
  const converger = projectConverger({
    store,
    runtime,
    installId: deps.installId,
    extraLabels: deps.extraLabels ?? {},
    appsDomain: deps.appsDomain,
    healthTimeoutMs: deps.healthTimeoutMs,
    stopTimeoutS: deps.stopTimeoutS ?? 5,
    signal: aborter.signal,
    ...(deps.serviceSecrets ? { serviceSecrets: deps.serviceSecrets } : {}),
    connector: deps.connector,
    attachContainers: deps.attachContainers ?? [],
    ...(deps.prepare ? { prepare: deps.prepare } : {}),
    ...(deps.verifyRoutes ? { verifyRoutes: deps.verifyRoutes } : {}),
    ...(deps.initRepository ? { initRepository: deps.initRepository } : {}),
  });
  const installLabels = { [LABEL.install]: deps.installId };
  const events = containerEvents({ store, runtime, log });
  const retries = new Set<string>();
  const pool =
    deps.warmPool && warmPool({ ...deps.warmPool, locks, log, wake: (id) => !aborter.signal.aborted && queue.add(id) });
  let timer: NodeJS.Timeout | undefined;
  let watching: Promise<void> | undefined;

  /** Puts an idle project to sleep (its pass below then stops it); a person's operation in flight wins. */
  async function sleepIfIdle(p: ProjectRecord, hasOp: boolean) {
    const idle = deps.idle;
    if (!idle || hasOp) return;
    const inputs = {
      now: (idle.now ?? Date.now)(),
      defaultTimeoutS: idle.defaultTimeoutS,
      lastSeen: idle.activity.lastSeen(p.id),
      openSockets: idle.activity.openSockets(p.id),
    };
    if (!idleLongEnough(p, inputs)) return;
    const busy = await store.busyReason(p.id);
    if (busy) return;
    const at = new Date(inputs.now);
    if (!(await store.markSleeping(p.id, at))) return;
    p.sleptAt = at;
    log.info({ projectId: p.id }, `project ${p.slug}: idle, going to sleep`);
  }

  async function pass(projectId: string): Promise<ReconcileOutcome> {
    let p = await store.get(projectId);
    if (!p) return "converged";
    if (await events.settle(p)) {
      signals.notify(p.id);
      p = await store.get(projectId);
    }
    if (!p || p.status === "deleted") return "converged";
    const op = await store.activeOperation(p.id);
    await sleepIfIdle(p, op !== null);
    const progress = operationProgress(store, op, () => signals.notify(p.id), deps.operations);
    try {
      await progress.begin();
      await converger.converge(p, progress, op !== null);
      await progress.succeed();
      return "converged";
    } catch (err) {
      if (err instanceof Superseded || aborter.signal.aborted) return "superseded";
      if (err instanceof DomainError && err.code === "DOCKER_UNAVAILABLE") {
        // Not the project's fault: its operation stays in flight and the next re-scan goes on.
        log.warn({ projectId }, err.message);
        return "docker_unavailable";
      }
      const message = err instanceof Error ? err.message : String(err);
      log.warn({ projectId, err: err instanceof ProjectFailure ? undefined : err }, `project ${p.slug}: ${message}`);
      await store.setStatus(p.id, "failed", message);
      await progress.fail(message);
      return "failed";
    } finally {
      signals.notify(p.id);
    }
  }

  const queue = keyedWorkQueue(deps.concurrency, async (projectId) => {
    if (aborter.signal.aborted) return;
    const started = performance.now();
    const observe = (outcome: ReconcileOutcome) => deps.metrics?.pass(outcome, (performance.now() - started) / 1000);
    try {
      const r = await locks.tryRun(projectId, () => pass(projectId));
      observe(r.ran ? r.value : "locked");
      // Another process works on it; look again shortly, in case our write came after its read.
      if (!r.ran && !retries.has(projectId)) {
        retries.add(projectId);
        setTimeout(() => {
          retries.delete(projectId);
          if (!aborter.signal.aborted) queue.add(projectId);
        }, 1000).unref();
      }
    } catch (err) {
      observe("error");
      log.error({ err, projectId }, "reconcile pass failed");
    }
  });

  const reportedStrays = new Set<string>();

  /**
   * Removes the containers, networks and volumes of projects this database knows were deleted
   * (volumes only without keepData). Resources labelled for this install whose project the
   * database has never known are left alone and reported once: they may be another install's
   * that share the id (a copy of the database, a second checkout), and a volume holds files.
   */
  async function sweep() {
    // List Docker first, the database second: a project created in between has no resources yet.
    const [containers, networks, volumes] = await Promise.all([
      runtime.listContainers(installLabels),
      runtime.listNetworks(installLabels),
      runtime.listVolumes(installLabels),
    ]);
    const known = new Map((await store.listKnown()).map((k) => [k.id, k]));
    const projectOf = (labels: Labels) => labels[LABEL.project] ?? "";
    const deleted = (labels: Labels) => known.get(projectOf(labels))?.status === "deleted";
    for (const r of [...containers, ...networks, ...volumes]) {
      const id = projectOf(r.labels);
      if (!id || known.has(id) || reportedStrays.has(id)) continue;
      reportedStrays.add(id);
      log.warn(
        { project: id, install: deps.installId },
        `Docker resources labelled devsanctum.install=${deps.installId} belong to a project this database has never known; left alone (remove them by hand if they are not another install's)`,
      );
    }
    for (const c of containers.filter((c) => deleted(c.labels))) {
      log.info({ container: c.name }, "removing a container of a deleted project");
      await runtime.removeContainer(c.id);
    }
    for (const n of networks.filter((n) => deleted(n.labels))) await converger.detachAndRemoveNetwork(n.name);
    for (const v of volumes.filter((v) => deleted(v.labels))) {
      if (!known.get(projectOf(v.labels))?.keepData) await runtime.removeVolume(v.name);
    }
  }

  async function scan() {
    try {
      await deps.prepare?.().catch((err: Error) => log.warn({ err }, `the service gate: ${err.message}`));
      for (const id of await store.listActiveIds()) queue.add(id);
      await sweep();
      await pool?.refill();
    } catch (err) {
      log.error({ err }, "periodic re-scan failed");
    }
  }

  async function onEvent(e: RuntimeEvent) {
    // Recorded only; the project's pass, under its lock, decides what it means.
    const projectId = await events.record(e);
    if (projectId) queue.add(projectId);
  }

  async function watchEvents() {
    while (!aborter.signal.aborted) {
      try {
        for await (const e of runtime.events(installLabels, aborter.signal)) {
          await onEvent(e).catch((err) => log.error({ err }, "handling a Docker event failed"));
        }
      } catch (err) {
        if (!aborter.signal.aborted) log.warn({ err }, "Docker event stream broke; reconnecting");
      }
      await sleep(1000, aborter.signal);
      // Events may have been missed while disconnected.
      if (!aborter.signal.aborted) void scan();
    }
  }

  return {
    /** Starts watching events and re-scanning; the first scan runs at once. */
    start() {
      watching = watchEvents();
      void scan();
      timer = setInterval(() => void scan(), deps.intervalMs);
      timer.unref();
    },
    wake: (projectId: string) => queue.add(projectId),
    /** A claim took an instance: make its replacement now, not at the next re-scan. */
    refillPool: () => pool?.refill() ?? Promise.resolve(),
    /** Projects waiting for or in a pass (GET /metrics). */
    queueDepth: () => queue.size,
    scan,
    /** Resolves when no pass runs or waits (tests). */
    idle: () => queue.idle(),
    async stop() {
      clearInterval(timer);
      aborter.abort();
      await Promise.race([Promise.all([queue.idle(), watching]), new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}

export type Reconciler = ReturnType<typeof reconcilerFactory>;
