// `pnpm db:migrate:new <name>`: create a migration from prisma/schema.prisma, offline.
// `pnpm db:diff`: print the SQL between the migrations folder and schema.prisma.
// Uses DATABASE_URL when set (needs CREATEDB for the shadow database), otherwise a throwaway
// embedded PostgreSQL.
import { chmod, mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres } from "../src/adapters/persistence/embedded-postgres.js";
import { openSchemaEngine } from "./schema-engine.js";

const [cmd, ...args] = process.argv.slice(2);
const slug = (s: string) =>
  s
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 200);

async function freeLowPort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error("no free port below 32768");
}

async function withDatabase<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.DATABASE_URL) return fn(process.env.DATABASE_URL);
  const dir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-migrate-"));
  await chmod(dir, 0o755); // as root, postgres runs as its own user and must reach the data dir
  // A free port below 32768 (embedded PostgreSQL's rule), so two checkouts can migrate at once.
  const db = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), port: await freeLowPort() });
  try {
    return await fn(db.url);
  } finally {
    await db.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

async function run() {
  if (cmd !== "new" && cmd !== "diff") throw new Error("usage: migrate-cli new <name> | diff");
  await withDatabase(async (url) => {
    const engine = await openSchemaEngine(url);
    try {
      if (cmd === "diff") {
        const sql = await engine.diffMigrationsToSchema();
        console.log(sql || "-- schema.prisma and prisma/migrations are in sync");
        return;
      }
      const name = slug(args.join(" "));
      if (!name) throw new Error("give the migration a name: pnpm db:migrate:new add_projects");
      const dir = await engine.createMigration(name);
      console.log(dir ? `created ${path.relative(process.cwd(), dir)}` : "Already in sync: no schema change found.");
    } finally {
      engine.free();
    }
  });
}

run().then(
  () => process.exit(0),
  (err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
