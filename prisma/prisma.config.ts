// Prisma 7 config. Paths are relative to this file. Migrations are applied by our own
// runner at start (backend/src/adapters/persistence/migrate.ts); creating one offline
// goes through scripts/prisma-migrate.mjs (Prisma's WASM schema engine).
import path from "node:path";
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
});
