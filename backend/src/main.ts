// The process: config → infrastructure (database, Docker, root secret) → the areas' composition
// functions (composition/) → app and edge → listen, and one shutdown path.

import { readFileSync } from "node:fs";
import { pino } from "pino";
import { buildApp } from "./app.js";
import { composeAgent } from "./composition/agent.js";
import { composeAudit, composeAuditReader } from "./composition/audit.js";
import { composeDeployments } from "./composition/deployments.js";
import { builtinEdgeServers, composeEdge } from "./composition/edge.js";
import { composeFiles } from "./composition/files.js";
import { composeIdentity } from "./composition/identity.js";
import { composeIdle } from "./composition/idle.js";
import { openChangeFeed, openDatabase, openDocker } from "./composition/infrastructure.js";
import { InstallIdMismatch, installIdOf } from "./composition/installation.js";
import { composeMetrics } from "./composition/metrics.js";
import { composeProjects } from "./composition/projects.js";
import { composeServiceNetwork } from "./composition/service-network.js";
import { composeTasks } from "./composition/tasks.js";
import { composeUsage } from "./composition/usage.js";
import { type Config, ConfigError, loadConfig } from "./config/config.js";
import { loadRootSecret } from "./config/secrets.js";
import { isConsoleBuild } from "./http/console-static.js";
import { loggerOptions } from "./http/logger.js";
import { sessionCookies } from "./modules/auth/session-cookies.js";
import { announceSignInLink, signupPolicyLine } from "./modules/auth/start-announcements.js";

const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    console.error(`devsanctum: ${err.message}. See .env.example for every variable and its default.`);
    process.exit(1);
  }
}

async function main() {
  const config = configOrExit();
  const logger = pino(loggerOptions(config.log));
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "shutdown step failed"));
  };

  try {
    // First: the database's and Docker's failures are counted from their first call.
    const metrics = composeMetrics({ token: config.metricsToken });
    const database = await openDatabase(config, logger, metrics.failures.databaseError);
    cleanups.push(() => database.close());
    const { db } = database;
    const changes = await openChangeFeed(database.url, config, logger);
    cleanups.push(async () => changes.feed?.close());
    const containers = metrics.countDockerErrors(await openDocker(config, logger));
    const installId = await installIdOf(db, config.installId);
    const rootSecret = await loadRootSecret({ secretKey: config.secretKey, dataDir: config.dataDir });

    // The areas.
    metrics.watchContainers(containers, installId);
    const audit = composeAudit(db, logger);
    const { identity, authenticator, sessions } = await composeIdentity({
      db,
      rootSecret,
      publicUrl: config.publicUrl,
      auth: config.auth,
      audit,
    });
    cleanups.push(pruneSessionsHourly(sessions, logger));
    // Bound late: the waker wakes the reconciler built below.
    const edge = composeEdge({
      db,
      rootSecret,
      config,
      authenticator,
      log: logger,
      waking: (id) => idle.waker.isWaking(id),
      ...(changes.feed ? { changes: changes.feed } : {}),
    });
    const idle = composeIdle({
      db,
      config,
      log: logger,
      wake: (projectId) => {
        // API-only replica: another replica's re-scan sees the cleared sleep.
        if (!config.reconciler.enabled) return;
        projects.reconciler.wake(projectId);
        deployments.wake(projectId);
      },
      invalidate: (hostname) => edge.routes.invalidate(hostname),
    });
    cleanups.push(() => idle.close());
    const serviceNetwork = composeServiceNetwork({
      config: config.reconciler,
      runtime: containers,
      installId,
      rootSecret,
      ...(config.testRun ? { extraLabels: { "devsanctum.test-run": config.testRun } } : {}),
    });
    cleanups.push(() => serviceNetwork.close());
    const { signals } = changes;
    const agent = composeAgent({
      db,
      databaseUrl: database.url,
      rootSecret,
      audit,
      signals,
      log: logger,
      passwords: edge.passwords,
      connector: serviceNetwork.connector,
      wakeReconciler: (projectId) => projects.reconciler.wake(projectId),
      wakeAsleep: { wake: (projectId) => idle.waker.wake(projectId), holdMs: config.idle.wakeHoldMs },
      workerEnabled: config.reconciler.enabled,
      // Every agent turn's changes become a commit naming its session and prompt (bound late).
      onTurnFinished: async (turn) => {
        await files.onAgentTurnEnd(turn.projectId, { sessionId: turn.sessionId, prompt: turn.text });
      },
    });
    const deployments = composeDeployments({
      db,
      databaseUrl: database.url,
      installId,
      runtime: containers,
      proxy: edge.proxy,
      audit,
      log: logger,
      config,
      hosts: edge.hosts,
      connector: serviceNetwork.connector,
      operationMetrics: metrics.operations,
    });
    cleanups.push(() => deployments.close());
    const projects = composeProjects({
      db,
      databaseUrl: database.url,
      installId,
      runtime: containers,
      proxy: edge.proxy,
      audit,
      log: logger,
      config,
      opencodePassword: edge.passwords.passwordFor,
      serviceNetwork,
      serviceSecrets: agent.serviceSecrets,
      signals,
      watchPollMs: changes.watchPollMs,
      // Bound late: files (below) checks ownership with the projects service built here.
      initRepository: (p) => files.initRepository(p),
      alsoWake: deployments.wake,
      idle,
      metrics: metrics.reconciler,
      operationMetrics: metrics.operations,
    });
    metrics.watchQueue(projects.reconciler);
    const usage = composeUsage({ runtime: containers, appsDomain: config.appsDomain, project: projects.projects.get });
    cleanups.push(() => projects.close());
    cleanups.push(() => agent.stop());
    const files = composeFiles({
      runtime: containers,
      installId,
      ...(config.testRun ? { extraLabels: { "devsanctum.test-run": config.testRun } } : {}),
      config: config.files,
      projects: projects.projects,
      templates: projects.templateStore,
      store: projects.store,
      users: identity.users,
      audit,
      log: logger,
    });
    cleanups.push(() => files.close());
    const tasks = composeTasks({
      db,
      databaseUrl: database.url,
      runtime: containers,
      installId,
      ...(config.testRun ? { extraLabels: { "devsanctum.test-run": config.testRun } } : {}),
      projects: projects.projects,
      store: projects.store,
      templates: projects.templateStore,
      users: identity.users,
      git: files.git,
      maxDiffBytes: files.maxDiffBytes,
      audit,
      signals,
      hosts: edge.hosts,
      fetch: (url, init) => serviceNetwork.connector.fetch(url, init),
      agent: { createSessionIn: agent.agent.createSessionIn, agents: agent.agents },
      activity: idle.activity,
      log: logger,
      workerEnabled: config.reconciler.enabled,
    });
    cleanups.push(() => tasks.stop());
    const seeded = await projects.seedBuiltInTemplates(config.templatesDir);
    logger.info({ templates: seeded.map((t) => t.slug) }, "built-in templates up to date");
    for (const { slug, capabilities } of await projects.templates.revalidateStored()) {
      logger.warn({ template: slug, capabilities }, `template ${slug}: capabilities removed (not on the allow-list)`);
    }

    const app = await buildApp({
      logger,
      publicUrl: config.publicUrl,
      version: VERSION,
      trustProxy: config.trustProxy,
      database: database.probe,
      containers,
      authenticator,
      edgeAccess: edge.access,
      identity,
      ...(edge.traefikProvider ? { traefik: edge.traefikProvider } : {}),
      ...(edge.forwardAuth ? { forwardAuth: edge.forwardAuth } : {}),
      projects: {
        templates: projects.templates,
        projects: projects.projects,
        hosts: edge.hosts,
        idleDefaultS: config.idle.timeoutS,
      },
      activity: idle.activity,
      files: { ...files, tasks: tasks.service },
      agent: agent.routes,
      deployments: deployments.service,
      metrics: metrics.app,
      usage: usage.service,
      audit: composeAuditReader(db),
      ...(isConsoleBuild(config.consoleDir) ? { consoleDir: config.consoleDir } : {}),
    });
    cleanups.push(() => app.close());
    const edges = await builtinEdgeServers(config, edge, logger, serviceNetwork.connector, {
      ...idle.edge,
      metrics: metrics.edge,
      usage: usage.edge,
    });
    for (const e of edges) cleanups.push(() => e.server.close());
    projects.start();
    idle.start();
    agent.start();
    tasks.start();
    deployments.start();
    if (!config.reconciler.enabled) {
      logger.info("reconciler off (RECONCILER_ENABLED=false): another control-plane process converges Docker");
    }

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
      setTimeout(() => {
        logger.error("shutdown timed out; exiting");
        process.exit(1);
      }, config.shutdownTimeoutMs).unref();
      await cleanup();
      logger.flush();
      process.exit(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));

    await app.listen({ host: config.host, port: config.port });
    for (const e of edges) {
      await e.server.listen({ host: config.edge.host, port: e.port });
      if (e.behindTraefik)
        logger.info(`edge for OpenCode hosts (Traefik forwards them) on ${config.edge.host}:${e.port}`);
      else logger.info(`project hosts: ${e.scheme}://<project>--preview.${config.appsDomain}:${e.port}`);
    }
    // Says early, in the log, whether Traefik loads our configuration at all (its sentinel router).
    void edge.proxy.verify([]).then(
      () => edge.proxy.kind === "traefik" && logger.info("Traefik serves the control plane's dynamic configuration"),
      (err: Error) => logger.warn(err.message),
    );
    const base = config.publicUrl;
    logger.info(`DevSanctum ${VERSION} is up:  API ${base}/api/v1   docs ${base}/docs   OpenAPI ${base}/docs/json`);
    if (isConsoleBuild(config.consoleDir)) logger.info(`console: ${base}/`);
    else logger.warn(`console not built (no ${config.consoleDir}/index.html): run pnpm build`);
    if (identity.providers.length === 0) {
      // No OAuth app configured (the embedded default): a one-time link signs the owner in.
      await announceSignInLink({
        terminal: process.stdout.isTTY ? (line) => process.stdout.write(`${line}\n`) : null,
        log: logger,
        createLink: () => sessions.createLoginLink(),
      });
    }
    logger.info(signupPolicyLine(config.auth));
    if (base.startsWith("http:") && sessionCookies(base).secure) {
      logger.warn(
        `PUBLIC_URL ${base} is plain http on a non-loopback name: browsers drop the Secure session cookies there; serve it over https`,
      );
    }
  } catch (err) {
    // A refusal the operator must act on is one plain line; anything else is logged in full.
    if (err instanceof InstallIdMismatch) console.error(`devsanctum: ${err.message}`);
    else logger.fatal({ err }, err instanceof Error ? err.message : "start failed");
    await cleanup();
    process.exit(1);
  }
}

void main();

/** Expired refresh tokens and used sign-in links are of no use to anyone: deleted at start and hourly. */
function pruneSessionsHourly(
  sessions: { prune(): Promise<{ refreshTokens: number; loginLinks: number }> },
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
) {
  const prune = () =>
    sessions.prune().then(
      (n) => (n.refreshTokens || n.loginLinks) && log.info(n, "pruned expired sessions and used sign-in links"),
      (err: Error) => log.warn({ err: err.message }, "could not prune expired sessions"),
    );
  void prune();
  const timer = setInterval(() => void prune(), 3_600_000);
  timer.unref();
  return async () => clearInterval(timer);
}
