// What every area stands on: the database (external, or the embedded PostgreSQL under
// DATA_DIR), migrated; and the Docker engine. Each returns its own stop function.
import type { Logger } from "pino";
import { dockerodeContainerRuntime } from "../adapters/docker/dockerode-container-runtime.js";
import { startEmbeddedPostgres } from "../adapters/persistence/embedded-postgres.js";
import { applyMigrations } from "../adapters/persistence/migrate.js";
import { pgChangeFeed } from "../adapters/persistence/pg-change-feed.js";
import { createPrismaClient, prismaDatabaseProbe } from "../adapters/persistence/prisma-client.js";
import type { Config } from "../config/config.js";
import type { ChangeFeed } from "../ports/change-feed.port.js";
import type { ProjectSignals } from "../ports/projects.port.js";
import { changeFeedProjectSignals, inProcessProjectSignals } from "../shared/project-signals.js";

export async function openDatabase(
  config: Pick<Config, "database">,
  logger: Logger,
  /** Each failed database call, by Prisma error code (GET /metrics). */
  onError?: (code: string) => void,
) {
  const stops: Array<() => Promise<unknown>> = [];
  let url: string;
  if ("url" in config.database) {
    url = config.database.url;
  } else {
    const embedded = await startEmbeddedPostgres({ ...config.database.embedded, log: (m) => logger.info(m) });
    stops.push(() => embedded.stop().then(() => logger.info("embedded PostgreSQL stopped")));
    url = embedded.url;
    logger.info({ port: config.database.embedded.port }, "embedded PostgreSQL started");
  }
  try {
    const applied = await applyMigrations(url, { log: (m) => logger.info(m) });
    logger.info({ applied: applied.length }, "database schema up to date");
  } catch (err) {
    for (const stop of stops) await stop().catch(() => {});
    throw err;
  }
  const db = createPrismaClient(url, onError ? { onError } : {});
  stops.unshift(() => db.$disconnect());
  return {
    db,
    url,
    /** What /readyz asks. */
    probe: prismaDatabaseProbe(db),
    async close() {
      for (const stop of stops) await stop();
    },
  };
}

/** The engine is not required to start: /readyz and every Docker step say so while it is away. */
export async function openDocker(config: Pick<Config, "docker">, logger: Logger) {
  const containers = dockerodeContainerRuntime(config.docker);
  await containers.ping().then(
    () => logger.info("Docker engine reachable"),
    (err: Error) => logger.warn(err.message),
  );
  return containers;
}

/**
 * The database's change feed: one LISTEN connection for the process, fanned out to every open
 * events stream and to Traefik's document. Streams still re-read every `watchPollMs` in case a
 * notification was lost. Without it (CHANGE_FEED=false), in-process signals and a 2 s re-read.
 */
export async function openChangeFeed(
  databaseUrl: string,
  config: Pick<Config, "changeFeed">,
  logger: Pick<Logger, "warn">,
): Promise<{ feed: ChangeFeed | null; signals: ProjectSignals; watchPollMs: number }> {
  if (!config.changeFeed) return { feed: null, signals: inProcessProjectSignals(), watchPollMs: 2000 };
  const feed = await pgChangeFeed(databaseUrl, { log: logger });
  return { feed, signals: changeFeedProjectSignals(feed), watchPollMs: 30_000 };
}
