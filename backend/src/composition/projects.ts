// Templates, projects and the reconciler that makes Docker match them: the stores, the
// per-project locks, in-process change signals, the reconciler and the services the routes
// call. main.ts builds this once; the test harness builds it with overrides (its own install
// id, short intervals), so tests run exactly the wiring production runs.
import { pgProjectLocks } from "../adapters/persistence/pg-project-locks.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaProjectStore } from "../adapters/persistence/prisma-project-store.js";
import { prismaTemplateStore } from "../adapters/persistence/prisma-template-store.js";
import { fsBuiltInTemplates } from "../adapters/templates/fs-built-in-templates.js";
import type { Config } from "../config/config.js";
import { projectsServiceFactory } from "../modules/projects/projects.service.js";
import { templatesServiceFactory } from "../modules/templates/templates.service.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { OperationMetrics, ReconcilerMetrics } from "../ports/metrics.port.js";
import type { ProjectRecord, ProjectSignals } from "../ports/projects.port.js";
import type { ProxyProvider } from "../ports/proxy-provider.port.js";
import type { ServiceSecrets } from "../reconciler/converger-context.js";
import { type Reconciler, type ReconcilerLog, reconcilerFactory } from "../reconciler/reconciler.js";
import { opencodeServiceSecrets } from "../reconciler/service-secrets.js";
import { inProcessProjectSignals } from "../shared/project-signals.js";
import type { IdleArea } from "./idle.js";
import type { ServiceNetwork } from "./service-network.js";

export interface ProjectsOptions {
  db: Db;
  /** The reconciler's advisory locks hold their own connections. */
  databaseUrl: string;
  runtime: ContainerRuntime;
  proxy: ProxyProvider;
  audit: AuditLog;
  log: ReconcilerLog;
  config: Pick<Config, "appsDomain" | "reconciler" | "testRun" | "warmPool">;
  /** The install id bound to the database (composition/installation.ts bindInstallId). */
  installId: string;
  /** The OpenCode password of a project (composition/edge.ts composeOpencodePasswords). */
  opencodePassword: (projectId: string) => Promise<string>;
  /** What the reconciler adds to a service; default OpenCode's password (composition/agent.ts adds its model). */
  serviceSecrets?: ServiceSecrets;
  /** Change signals shared with another area that writes project state (the agent). */
  signals?: ProjectSignals;
  /** Tests: labels added to every Docker resource, and a shorter stop timeout. */
  extraLabels?: Labels;
  stopTimeoutS?: number;
  /** The seed step's first commit (composition/files.ts); called only once projects run. */
  initRepository?: (p: ProjectRecord) => Promise<void>;
  /** How project services are reached, and the gate the reconciler keeps running (composition/service-network.ts). */
  serviceNetwork: Pick<ServiceNetwork, "connector" | "attach" | "prepare">;
  /** How often an open events stream re-reads anyway (default 2 s; with the change feed, a safety net). */
  watchPollMs?: number;
  /** Also woken after every project write (the deployer: a start brings the live deployment back). */
  alsoWake?: (projectId: string) => void;
  /** Idle stop (composition/idle.ts): what the reconciler reads, what presence records. */
  idle?: Pick<IdleArea, "reconciler" | "activity">;
  /** Reconciler passes by outcome and duration (composition/metrics.ts). */
  metrics?: ReconcilerMetrics;
  /** Operations by kind and outcome, step durations (composition/metrics.ts). */
  operationMetrics?: OperationMetrics;
}

/**
 * Writes wake the reconciler for that project at once, unless this process runs the API only
 * (RECONCILER_ENABLED=false): then another replica's re-scan or lock retry picks it up.
 */
function wakeAfterWrites(
  reconciler: Reconciler,
  enabled: boolean,
  alsoWake?: (projectId: string) => void,
): (projectId: string) => void {
  if (!enabled) return () => {};
  return (projectId) => {
    reconciler.wake(projectId);
    alsoWake?.(projectId);
  };
}

/** Routes count as published only once the proxy serves their hostnames. */
function verifyThrough(proxy: ProxyProvider) {
  return (hostnames: string[]) => proxy.verify(hostnames);
}

export function composeProjects(opts: ProjectsOptions) {
  const { db, config, runtime, audit } = opts;
  const templateStore = prismaTemplateStore(db);
  const store = prismaProjectStore(db);
  const signals = opts.signals ?? inProcessProjectSignals();
  const locks = pgProjectLocks(opts.databaseUrl, { maxConnections: config.reconciler.concurrency + 1 });
  const serviceSecrets: ServiceSecrets = opts.serviceSecrets ?? opencodeServiceSecrets(opts.opencodePassword);
  const reconciler = reconcilerFactory({
    store,
    runtime,
    locks,
    signals,
    log: opts.log,
    installId: opts.installId,
    extraLabels: { ...(config.testRun ? { "devsanctum.test-run": config.testRun } : {}), ...opts.extraLabels },
    appsDomain: config.appsDomain,
    ...config.reconciler,
    attachContainers: [...config.reconciler.attachContainers, ...opts.serviceNetwork.attach],
    connector: opts.serviceNetwork.connector,
    prepare: opts.serviceNetwork.prepare,
    ...(opts.stopTimeoutS !== undefined ? { stopTimeoutS: opts.stopTimeoutS } : {}),
    serviceSecrets,
    verifyRoutes: verifyThrough(opts.proxy),
    ...(opts.initRepository ? { initRepository: opts.initRepository } : {}),
    ...(opts.idle ? { idle: opts.idle.reconciler } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.operationMetrics ? { operations: opts.operationMetrics } : {}),
    warmPool: { store, templates: () => templateStore.list(), budgetMb: config.warmPool.memoryMb },
  });
  const projects = projectsServiceFactory({
    projects: store,
    templates: templateStore,
    containers: runtime,
    audit,
    wake: wakeAfterWrites(reconciler, config.reconciler.enabled, opts.alsoWake),
    // API-only replica: the reconciling one's next re-scan makes the replacement.
    poolClaimed: () => {
      if (config.reconciler.enabled) void reconciler.refillPool();
    },
    signals,
    ...(opts.idle ? { activity: opts.idle.activity } : {}),
    ...(opts.watchPollMs !== undefined ? { watchPollMs: opts.watchPollMs } : {}),
  });
  const templates = templatesServiceFactory({
    templates: templateStore,
    audit,
    changed: () => {
      if (config.reconciler.enabled) void reconciler.refillPool();
    },
  });
  return {
    templates,
    projects,
    signals,
    reconciler,
    store,
    templateStore,
    /** Upserts the built-in templates shipped in `dir` (<slug>/template.json). */
    seedBuiltInTemplates: (dir: string) => templates.seedBuiltIns(fsBuiltInTemplates(dir)),
    /** Starts the reconciler when this process runs one. */
    start() {
      if (config.reconciler.enabled) reconciler.start();
    },
    async close() {
      await reconciler.stop();
      await locks.close();
    },
  };
}
