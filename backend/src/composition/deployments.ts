// Builds production deployments: their store, the deployer (worker loop, its own locks) and the
// service behind the routes. main.ts and the tests call it; tests pass overrides (short
// keep-warm, small DEPLOY_KEEP). Like main.ts, it is a composition root: it may build adapters.
import { pgProjectLocks } from "../adapters/persistence/pg-project-locks.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaDeploymentStore } from "../adapters/persistence/prisma-deployment-store.js";
import { prismaProjectStore } from "../adapters/persistence/prisma-project-store.js";
import { prismaTemplateStore } from "../adapters/persistence/prisma-template-store.js";
import { type DeployerLog, deployerFactory } from "../deployer/deployer.js";
import { deploymentPass } from "../deployer/deployment-pass.js";
import { productionContainers } from "../deployer/production-containers.js";
import { deploymentsServiceFactory } from "../modules/deployments/deployments.service.js";
import type { PublicHosts } from "../modules/projects/project-urls.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import { inProcessProjectSignals } from "../shared/project-signals.js";

export interface DeploymentsComposition {
  db: Db;
  databaseUrl: string;
  runtime: ContainerRuntime;
  audit: AuditLog;
  log: DeployerLog;
  installId: string;
  extraLabels?: Labels;
  appsDomain: string;
  hosts: PublicHosts;
  endpoints: "loopback" | "network";
  healthTimeoutMs: number;
  stopTimeoutS?: number;
  intervalMs: number;
  concurrency: number;
  keep: number;
  keepWarmMs: number;
  buildTimeoutS: number;
  /** Resolves once the proxy serves the hostname (the builtin edge drops its cached route). */
  verifyRoutes?: (hostnames: string[]) => Promise<void>;
}

export function composeDeployments(opts: DeploymentsComposition) {
  const deployments = prismaDeploymentStore(opts.db);
  const projects = prismaProjectStore(opts.db);
  // Deployment changes, for the live feeds; kept apart from project events (a build writes often).
  const signals = inProcessProjectSignals();
  const locks = pgProjectLocks(opts.databaseUrl, {
    maxConnections: opts.concurrency + 1,
    namespace: "devsanctum.deploy",
  });
  const containers = productionContainers({
    runtime: opts.runtime,
    installId: opts.installId,
    extraLabels: opts.extraLabels ?? {},
    appsDomain: opts.appsDomain,
    endpoints: opts.endpoints,
    healthTimeoutMs: opts.healthTimeoutMs,
    stopTimeoutS: opts.stopTimeoutS ?? 5,
  });
  const aborter = new AbortController();
  const pass = deploymentPass({
    deployments,
    projects,
    operations: projects,
    containers,
    runtime: opts.runtime,
    ...(opts.verifyRoutes ? { verifyRoutes: opts.verifyRoutes } : {}),
    notify: (id) => signals.notify(id),
    log: opts.log,
    keep: opts.keep,
    keepWarmMs: opts.keepWarmMs,
    buildTimeoutS: opts.buildTimeoutS,
    signal: aborter.signal,
  });
  const deployer = deployerFactory({
    pass,
    deployments,
    runtime: opts.runtime,
    locks,
    log: opts.log,
    installId: opts.installId,
    intervalMs: opts.intervalMs,
    concurrency: opts.concurrency,
    aborter,
  });
  const service = deploymentsServiceFactory({
    deployments,
    projects,
    templates: prismaTemplateStore(opts.db),
    snapshot: (p, spec, number) => containers.createBuild(p, spec, number),
    discard: (id) => containers.remove(id),
    operations: projects,
    audit: opts.audit,
    wake: (id) => deployer.wake(id),
    signals,
    hosts: opts.hosts,
    keep: opts.keep,
  });
  return {
    service,
    deployer,
    async close() {
      await deployer.stop();
      await locks.close();
    },
  };
}
