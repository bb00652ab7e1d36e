// Applies prisma/migrations/*/migration.sql exactly as `prisma migrate deploy` does, with no
// Prisma engine: same advisory lock, same _prisma_migrations table and rows (checksum =
// sha256 hex of migration.sql), same refusal when an earlier migration failed (P3009).
// Either tool can take over from the other on the same database.
import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

const PRISMA_MIGRATE_LOCK = 72707369;

export const MIGRATIONS_DIR = path.resolve(import.meta.dirname, "../../../../prisma/migrations");

export async function listMigrationNames(dir = MIGRATIONS_DIR): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b));
}

export async function applyMigrations(
  databaseUrl: string,
  opts: { dir?: string; log?: (msg: string) => void } = {},
): Promise<string[]> {
  const dir = opts.dir ?? MIGRATIONS_DIR;
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [PRISMA_MIGRATE_LOCK]);
    await client.query(`CREATE TABLE IF NOT EXISTS _prisma_migrations (
      id VARCHAR(36) PRIMARY KEY NOT NULL, checksum VARCHAR(64) NOT NULL, finished_at TIMESTAMPTZ,
      migration_name VARCHAR(255) NOT NULL, logs TEXT, rolled_back_at TIMESTAMPTZ,
      started_at TIMESTAMPTZ NOT NULL DEFAULT now(), applied_steps_count INTEGER NOT NULL DEFAULT 0)`);
    const { rows } = await client.query<{
      migration_name: string;
      finished_at: Date | null;
      rolled_back_at: Date | null;
    }>("SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY started_at");
    const failed = rows.filter((r) => !r.finished_at && !r.rolled_back_at);
    if (failed.length > 0) {
      throw new Error(
        `P3009: migrate found failed migrations in the target database (${failed.map((r) => r.migration_name).join(", ")}). Fix the database, then mark them with 'prisma migrate resolve'.`,
      );
    }
    const done = new Set(rows.filter((r) => !r.rolled_back_at).map((r) => r.migration_name));
    for (const name of await listMigrationNames(dir)) {
      if (done.has(name)) continue;
      const script = await readFile(path.join(dir, name, "migration.sql"), "utf8");
      const id = randomUUID();
      const checksum = createHash("sha256").update(script).digest("hex");
      await client.query(
        "INSERT INTO _prisma_migrations (id, checksum, started_at, migration_name) VALUES ($1, $2, now(), $3)",
        [id, checksum, name],
      );
      try {
        // Simple-query protocol: the whole file runs as one implicit transaction, as the engine does.
        await client.query(script);
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        await client.query("UPDATE _prisma_migrations SET logs = $1 WHERE id = $2", [message, id]);
        throw new Error(`Migration ${name} failed: ${message}`);
      }
      await client.query(
        "UPDATE _prisma_migrations SET applied_steps_count = applied_steps_count + 1, finished_at = now() WHERE id = $1",
        [id],
      );
      applied.push(name);
      opts.log?.(`applied migration ${name}`);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [PRISMA_MIGRATE_LOCK]).catch(() => {});
    await client.end();
  }
  return applied;
}
