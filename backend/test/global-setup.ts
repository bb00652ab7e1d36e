import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../src/adapters/persistence/embedded-postgres.js";
import { applyMigrations } from "../src/adapters/persistence/migrate.js";

export const TEMPLATE_DB = "devsanctum_test_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
  }
}

// A real PostgreSQL for the run: TEST_DATABASE_ADMIN_URL when given (a role with CREATEDB),
// otherwise an embedded server in a temporary directory.
export default async function setup(project: TestProject) {
  let adminUrl = process.env.TEST_DATABASE_ADMIN_URL;
  let stop = async () => {};
  if (!adminUrl) {
    const dir = await mkdtemp(path.join(os.tmpdir(), "devsanctum-test-pg-"));
    await chmod(dir, 0o755);
    const port = Number(process.env.TEST_PG_PORT ?? 5498);
    const db = await startEmbeddedPostgres({ dataDir: path.join(dir, "data"), port });
    adminUrl = db.url.replace(/\/[^/]+$/, "/postgres");
    stop = async () => {
      await db.stop();
      await rm(dir, { recursive: true, force: true });
    };
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  await applyMigrations(adminUrl.replace(/\/[^/]+$/, `/${TEMPLATE_DB}`));
  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", TEMPLATE_DB);
  return stop;
}
