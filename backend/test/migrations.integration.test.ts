import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, listMigrationNames, MIGRATIONS_DIR } from "../src/adapters/persistence/migrate.js";
import { openSchemaEngine } from "../tools/schema-engine.js";
import { createTestDatabase, type TestDatabase } from "./helpers/database.js";

async function rows(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query("SELECT * FROM _prisma_migrations ORDER BY migration_name")).rows;
  } finally {
    await c.end();
  }
}

describe("migration runner (offline stand-in for `prisma migrate deploy`)", () => {
  let empty: TestDatabase;
  beforeAll(async () => {
    empty = await createTestDatabase({ migrated: false });
  });
  afterAll(() => empty.drop());

  it("applies every migration once, writing the rows Prisma Migrate writes", async () => {
    const names = await listMigrationNames();
    expect(names.length).toBeGreaterThan(0);
    expect(await applyMigrations(empty.url)).toEqual(names);
    expect(await applyMigrations(empty.url)).toEqual([]);

    const recorded = await rows(empty.url);
    expect(recorded.map((r) => r.migration_name)).toEqual(names);
    for (const r of recorded) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, r.migration_name, "migration.sql"), "utf8");
      expect(r.checksum).toBe(createHash("sha256").update(sql).digest("hex"));
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.applied_steps_count).toBe(1);
      expect(r.id).toMatch(/^[0-9a-f-]{36}$/);
    }
    // The tables of the data model exist.
    const users = await empty.db.user.count();
    expect(users).toBe(0);
  });

  it("Prisma's own engine sees the runner's history as fully applied", async () => {
    const engine = await openSchemaEngine(empty.url);
    try {
      expect(await engine.applyMigrations()).toEqual([]);
    } finally {
      engine.free();
    }
  });

  it("refuses to go on after a failed migration (P3009), leaving the failure recorded", async () => {
    const db = await createTestDatabase({ migrated: false });
    const dir = await mkdtemp(path.join(os.tmpdir(), "migs-"));
    await mkdir(path.join(dir, "20200101000000_ok"));
    await writeFile(path.join(dir, "20200101000000_ok", "migration.sql"), "CREATE TABLE a (id int);");
    await mkdir(path.join(dir, "20200102000000_bad"));
    await writeFile(path.join(dir, "20200102000000_bad", "migration.sql"), "CREATE TABLE b (id int); SELEC 1;");
    try {
      await expect(applyMigrations(db.url, { dir })).rejects.toThrow(/20200102000000_bad failed/);
      // The failing file ran in one transaction: table b does not exist.
      const tables = await db.db.$queryRaw<
        { t: string }[]
      >`SELECT tablename AS t FROM pg_tables WHERE schemaname = 'public'`;
      expect(tables.map((r) => r.t).sort()).toEqual(["_prisma_migrations", "a"]);
      await expect(applyMigrations(db.url, { dir })).rejects.toThrow(/P3009/);
    } finally {
      await db.drop();
    }
  });
});

describe("schema drift", () => {
  it("prisma/schema.prisma and prisma/migrations describe the same database (run `pnpm db:migrate:new <name>` if not)", async () => {
    const db = await createTestDatabase({ migrated: false });
    const engine = await openSchemaEngine(db.url);
    try {
      expect(await engine.diffMigrationsToSchema()).toBe("");
    } finally {
      engine.free();
      await db.drop();
    }
  });
});
