// Composition root: config → adapters → services → app → listen. The only place adapters are built.
import { readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { pino } from "pino";
import { dockerodeContainerRuntime } from "./adapters/docker/dockerode-container-runtime.js";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./adapters/persistence/embedded-postgres.js";
import { applyMigrations } from "./adapters/persistence/migrate.js";
import { pgProjectLocks } from "./adapters/persistence/pg-project-locks.js";
import { prismaAuditLog } from "./adapters/persistence/prisma-audit-log.js";
import { createPrismaClient, prismaDatabaseProbe } from "./adapters/persistence/prisma-client.js";
import { prismaEdgeRouteLookup } from "./adapters/persistence/prisma-edge-route-lookup.js";
import { prismaProjectStore } from "./adapters/persistence/prisma-project-store.js";
import { prismaRouteTable } from "./adapters/persistence/prisma-route-table.js";
import { prismaTemplateStore } from "./adapters/persistence/prisma-template-store.js";
import { builtinProxyProvider } from "./adapters/proxy/builtin-proxy-provider.js";
import { traefikProxyProvider } from "./adapters/proxy/traefik-proxy-provider.js";
import { fsBuiltInTemplates } from "./adapters/templates/fs-built-in-templates.js";
import { buildApp } from "./app.js";
import { composeIdentity } from "./compose-identity.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { deriveKey, loadRootSecret, opencodePasswordFor } from "./config/secrets.js";
import { buildEdge } from "./edge/edge-server.js";
import { isConsoleBuild } from "./http/console-static.js";
import { loggerOptions } from "./http/logger.js";
import { sessionCookies } from "./modules/auth/session-cookies.js";
import { appSessionCodec } from "./modules/edge/app-session.js";
import { cachedRouteLookup } from "./modules/edge/cached-route-lookup.js";
import { edgeAccessServiceFactory } from "./modules/edge/edge-access.service.js";
import { projectsServiceFactory } from "./modules/projects/projects.service.js";
import { templatesServiceFactory } from "./modules/templates/templates.service.js";
import { routerNameFor, SENTINEL_ROUTER } from "./modules/traefik/traefik-dynamic-config.js";
import { traefikProviderServiceFactory } from "./modules/traefik/traefik-provider.service.js";
import type { ProxyProvider } from "./ports/proxy-provider.port.js";
import { reconcilerFactory } from "./reconciler/reconciler.js";
import { opencodeServiceSecrets } from "./reconciler/service-secrets.js";
import { inProcessProjectSignals } from "./shared/project-signals.js";

const VERSION: string = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`devsanctum: ${err.message}. See .env.example for every variable and its default.`);
      process.exit(1);
    }
    throw err;
  }
  const logger = pino(loggerOptions(config.log));
  const cleanups: Array<() => Promise<unknown>> = [];
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await fn().catch((err) => logger.error({ err }, "shutdown step failed"));
  };

  try {
    let databaseUrl: string;
    if ("url" in config.database) {
      databaseUrl = config.database.url;
    } else {
      const embedded: EmbeddedDatabase = await startEmbeddedPostgres({
        ...config.database.embedded,
        log: (m) => logger.info(m),
      });
      cleanups.push(() => embedded.stop().then(() => logger.info("embedded PostgreSQL stopped")));
      databaseUrl = embedded.url;
      logger.info({ port: config.database.embedded.port }, "embedded PostgreSQL started");
    }
    const applied = await applyMigrations(databaseUrl, { log: (m) => logger.info(m) });
    logger.info({ applied: applied.length }, "database schema up to date");

    const db = createPrismaClient(databaseUrl);
    cleanups.push(() => db.$disconnect());

    const containers = dockerodeContainerRuntime(config.docker);
    await containers.ping().then(
      () => logger.info("Docker engine reachable"),
      (err: Error) => logger.warn(err.message),
    );

    const rootSecret = await loadRootSecret({ secretKey: config.secretKey, dataDir: config.dataDir });
    const { identity, authenticator, sessions } = await composeIdentity({
      db,
      rootSecret,
      publicUrl: config.publicUrl,
      auth: config.auth,
    });
    const opencodeKey = deriveKey(rootSecret, "opencode-password");
    const edgeRoutes = cachedRouteLookup(prismaEdgeRouteLookup(db), { ttlMs: 1000, unsettledTtlMs: 100 });
    const edgeAccess = edgeAccessServiceFactory({
      routes: edgeRoutes,
      authenticator,
      sessions: appSessionCodec(deriveKey(rootSecret, "app-session")),
      appsDomain: config.appsDomain,
      publicUrl: config.publicUrl,
      opencodePassword: (projectId) => opencodePasswordFor(opencodeKey, projectId),
    });

    // The proxy in front of project hosts; the reconciler calls proxy.verify(hostnames) after
    // it writes Route rows, so a service counts as routed only once the proxy serves it.
    const traefik = config.traefik;
    const proxy: ProxyProvider = traefik
      ? traefikProxyProvider({
          apiUrl: traefik.apiUrl,
          routerNameFor,
          sentinelRouter: SENTINEL_ROUTER,
          timeoutMs: traefik.verifyTimeoutMs,
        })
      : builtinProxyProvider({ routes: prismaEdgeRouteLookup(db), invalidate: (h) => edgeRoutes.invalidate(h) });
    const traefikProvider = traefik && {
      providerSecret: traefik.providerSecret,
      provider: traefikProviderServiceFactory({
        routes: prismaRouteTable(db),
        render: {
          appsDomain: config.appsDomain,
          controlPlaneUrl: traefik.controlPlaneUrl,
          ...(traefik.tls ? { tls: traefik.tls } : {}),
        },
        ttlMs: 1000,
        onSkipped: (skipped) => logger.warn({ skipped }, "routes left out of the Traefik configuration"),
      }),
    };

    // Templates, projects and the reconciler that makes Docker match them.
    const audit = prismaAuditLog(db, (err) => logger.warn({ err }, "audit write failed"));
    const templateStore = prismaTemplateStore(db);
    const templates = templatesServiceFactory({ templates: templateStore, audit });
    const seeded = await templates.seedBuiltIns(fsBuiltInTemplates(config.templatesDir));
    logger.info({ templates: seeded.map((t) => t.slug) }, "built-in templates up to date");
    const projectStore = prismaProjectStore(db);
    const signals = inProcessProjectSignals();
    const locks = pgProjectLocks(databaseUrl, { maxConnections: config.reconciler.concurrency + 1 });
    cleanups.push(() => locks.close());
    const reconciler = reconcilerFactory({
      store: projectStore,
      runtime: containers,
      locks,
      signals,
      log: logger,
      installId: config.installId,
      ...(config.testRun ? { extraLabels: { "devsanctum.test-run": config.testRun } } : {}),
      appsDomain: config.appsDomain,
      ...config.reconciler,
      serviceSecrets: opencodeServiceSecrets((projectId) => opencodePasswordFor(opencodeKey, projectId)),
      // A service counts as routed only once the proxy serves its hostname.
      verifyRoutes: (hostnames) => proxy.verify(hostnames),
    });
    const projects = projectsServiceFactory({
      projects: projectStore,
      templates: templateStore,
      containers,
      audit,
      wake: config.reconciler.enabled ? reconciler.wake : () => {},
    });
    const hosts =
      config.proxyProvider === "traefik"
        ? { appsDomain: config.appsDomain, scheme: "https" as const, port: 443 }
        : { appsDomain: config.appsDomain, scheme: "http" as const, port: config.edge.port };

    const app = await buildApp({
      logger,
      publicUrl: config.publicUrl,
      version: VERSION,
      trustProxy: config.trustProxy,
      database: prismaDatabaseProbe(db),
      containers,
      authenticator,
      edgeAccess,
      identity,
      ...(traefikProvider ? { traefik: traefikProvider } : {}),
      projects: { templates, projects, signals, hosts },
      ...(isConsoleBuild(config.consoleDir) ? { consoleDir: config.consoleDir } : {}),
    });
    cleanups.push(() => app.close());
    if (config.reconciler.enabled) reconciler.start();
    else logger.info("reconciler off (RECONCILER_ENABLED=false): another control-plane process converges Docker");
    cleanups.push(() => reconciler.stop());

    // The builtin edge serves project hosts in the embedded default; with Traefik it stays off.
    const edges = [];
    if (config.proxyProvider === "builtin") {
      edges.push({ server: await buildEdge({ access: edgeAccess, logger }), port: config.edge.port, scheme: "http" });
      if (config.edge.tls) {
        const https = { cert: await readFile(config.edge.tls.certFile), key: await readFile(config.edge.tls.keyFile) };
        edges.push({
          server: await buildEdge({ access: edgeAccess, logger, https }),
          port: config.edge.httpsPort,
          scheme: "https",
        });
      }
    }
    for (const edge of edges) cleanups.push(() => edge.server.close());

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, "shutting down: no new connections, finishing in-flight requests");
      const force = setTimeout(() => {
        logger.error("shutdown timed out; exiting");
        process.exit(1);
      }, config.shutdownTimeoutMs);
      force.unref();
      await cleanup();
      logger.flush();
      process.exit(0);
    };
    process.once("SIGTERM", () => void shutdown("SIGTERM"));
    process.once("SIGINT", () => void shutdown("SIGINT"));

    await app.listen({ host: config.host, port: config.port });
    for (const edge of edges) {
      await edge.server.listen({ host: config.edge.host, port: edge.port });
      logger.info(`project hosts: ${edge.scheme}://<project>--preview.${config.appsDomain}:${edge.port}`);
    }
    // Says early, in the log, whether Traefik loads our configuration at all (its sentinel router).
    void proxy.verify([]).then(
      () => proxy.kind === "traefik" && logger.info("Traefik serves the control plane's dynamic configuration"),
      (err: Error) => logger.warn(err.message),
    );
    const base = config.publicUrl;
    logger.info(`DevSanctum ${VERSION} is up:  API ${base}/api/v1   docs ${base}/docs   OpenAPI ${base}/docs/json`);
    if (isConsoleBuild(config.consoleDir)) logger.info(`console: ${base}/`);
    else logger.warn(`console not built (no ${config.consoleDir}/index.html): run pnpm build`);
    if (identity.providers.length === 0) {
      // No OAuth app configured (the embedded default): a one-time link signs the owner in.
      const link = await sessions.createLoginLink();
      logger.info(`sign in (one-time link, valid 15 minutes): ${link.url}   — a new one: pnpm signin-link`);
    }
    if (base.startsWith("http:") && sessionCookies(base).secure) {
      logger.warn(
        `PUBLIC_URL ${base} is plain http on a non-loopback name: browsers drop the Secure session cookies there; serve it over https`,
      );
    }
  } catch (err) {
    logger.fatal({ err }, err instanceof Error ? err.message : "start failed");
    await cleanup();
    process.exit(1);
  }
}

void main();
