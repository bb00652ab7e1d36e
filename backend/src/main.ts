// Composition root: config → adapters → services → app → listen. The only place adapters are built.
import { readFileSync } from "node:fs";
import { pino } from "pino";
import { dockerodeContainerRuntime } from "./adapters/docker/dockerode-container-runtime.js";
import { type EmbeddedDatabase, startEmbeddedPostgres } from "./adapters/persistence/embedded-postgres.js";
import { applyMigrations } from "./adapters/persistence/migrate.js";
import { prismaApiTokenStore } from "./adapters/persistence/prisma-api-token-store.js";
import { createPrismaClient, prismaDatabaseProbe } from "./adapters/persistence/prisma-client.js";
import { buildApp } from "./app.js";
import { ConfigError, loadConfig } from "./config/config.js";
import { loggerOptions } from "./http/logger.js";
import { authenticatorFactory } from "./modules/auth/authenticator.js";

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

    const app = await buildApp({
      logger,
      publicUrl: config.publicUrl,
      version: VERSION,
      database: prismaDatabaseProbe(db),
      containers,
      authenticator: authenticatorFactory({ apiTokens: prismaApiTokenStore(db) }),
    });
    cleanups.push(() => app.close());

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
    const base = config.publicUrl;
    logger.info(`DevSanctum ${VERSION} is up:  API ${base}/api/v1   docs ${base}/docs   OpenAPI ${base}/docs/json`);
  } catch (err) {
    logger.fatal({ err }, err instanceof Error ? err.message : "start failed");
    await cleanup();
    process.exit(1);
  }
}

void main();
