// Builds production deployments: their store, the deployer (worker loop, its own locks) and the
// service behind the routes. main.ts and the tests call it; tests pass overrides (short
// keep-warm, small DEPLOY_KEEP). Like main.ts, it is a composition root: it may build adapters.
import { pgProjectLocks } from "../adapters/persistence/pg-project-locks.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaDeploymentStore } from "../adapters/persistence/prisma-deployment-store.js";
import { prismaProjectStore } from "../adapters/persistence/prisma-project-store.js";
import { prismaTemplateStore } from "../adapters/persistence/prisma-template-store.js";
import type { Config } from "../config/config.js";
import { type DeployerLog, deployerFactory } from "../deployer/deployer.js";
import { productionContainers } from "../deployer/production-containers.js";
import { deploymentsServiceFactory } from "../modules/deployments/deployments.service.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { OperationMetrics } from "../ports/metrics.port.js";
import type { ProxyProvider } from "../ports/proxy-provider.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import { inProcessProjectSignals } from "../shared/project-signals.js";
import type { PublicHosts } from "../shared/project-urls.js";

export interface DeploymentsOptions {
  db: Db;
  /** The deployer's advisory locks hold their own connections. */
  databaseUrl: string;
  runtime: ContainerRuntime;
  /** The production route counts as switched once the proxy serves it (the builtin edge drops its cache). */
  proxy: ProxyProvider;
  audit: AuditLog;
  log: DeployerLog;
  config: Pick<Config, "appsDomain" | "reconciler" | "testRun" | "deployments">;
  /** The install id bound to the database (composition/installation.ts). */
  installId: string;
  hosts: PublicHosts;
  /** How production containers are reached (composition/service-network.ts). */
  connector: Pick<ServiceConnector, "fetch">;
  /** Tests: labels added to every Docker resource, and a shorter stop timeout. */
  extraLabels?: Labels;
  stopTimeoutS?: number;
  /** Operations by kind and outcome, step durations (composition/metrics.ts). */
  operationMetrics?: OperationMetrics;
}

export function composeDeployments(opts: DeploymentsOptions) {
  const { config } = opts;
  const deployments = prismaDeploymentStore(opts.db);
  const projects = prismaProjectStore(opts.db);
  // Deployment changes, for the live feeds; kept apart from project events (a build writes often).
  const signals = inProcessProjectSignals();
  // Two workers per project (its pass, its build), each with its own lock namespace and pool.
  const lockPool = (namespace: string) =>
    pgProjectLocks(opts.databaseUrl, { maxConnections: config.reconciler.concurrency + 1, namespace });
  const locks = { pass: lockPool("devsanctum.deploy"), build: lockPool("devsanctum.build") };
  const containers = productionContainers({
    runtime: opts.runtime,
    installId: opts.installId,
    extraLabels: { ...(config.testRun ? { "devsanctum.test-run": config.testRun } : {}), ...opts.extraLabels },
    appsDomain: config.appsDomain,
    connector: opts.connector,
    healthTimeoutMs: config.reconciler.healthTimeoutMs,
    stopTimeoutS: opts.stopTimeoutS ?? 5,
  });
  const deployer = deployerFactory({
    work: {
      deployments,
      projects,
      operations: projects,
      containers,
      runtime: opts.runtime,
      verifyRoutes: (hostnames) => opts.proxy.verify(hostnames),
      notify: (id) => signals.notify(id),
      log: opts.log,
      ...(opts.operationMetrics ? { operationMetrics: opts.operationMetrics } : {}),
      ...config.deployments,
    },
    runtime: opts.runtime,
    locks,
    log: opts.log,
    installId: opts.installId,
    intervalMs: config.reconciler.intervalMs,
    concurrency: config.reconciler.concurrency,
  });
  // An API-only replica (RECONCILER_ENABLED=false) leaves the work to another one's re-scan.
  const wake = (projectId: string) => {
    if (config.reconciler.enabled) deployer.wake(projectId);
  };
  const service = deploymentsServiceFactory({
    deployments,
    projects,
    templates: prismaTemplateStore(opts.db),
    snapshot: (p, spec, number) => containers.createBuild(p, spec, number),
    discard: (id) => containers.remove(id),
    // Only where a deployer runs here: an API-only replica leaves the whole build to the one that does.
    ...(config.reconciler.enabled ? { startBuild: (id: string) => opts.runtime.startContainer(id) } : {}),
    operations: projects,
    audit: opts.audit,
    wake,
    signals,
    hosts: opts.hosts,
    keep: config.deployments.keep,
    ...(opts.operationMetrics ? { operationMetrics: opts.operationMetrics } : {}),
  });
  return {
    service,
    deployer,
    /** Project writes wake the deployer too: a start brings the live deployment back. */
    wake,
    /** Starts the deployer when this process runs the reconciler (RECONCILER_ENABLED). */
    start() {
      if (config.reconciler.enabled) deployer.start();
    },
    async close() {
      await deployer.stop();
      await locks.pass.close();
      await locks.build.close();
    },
  };
}
