// Prisma's own schema engine (the WASM build of the exact engine the prisma CLI ships) driven
// through @prisma/adapter-pg, so migrations can be created and diffed with no engine download.
// Development tooling only: the runtime applies migrations with adapters/persistence/migrate.ts.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory, ColumnTypeEnum } from "@prisma/driver-adapter-utils";
import * as wasmBg from "@prisma/schema-engine-wasm/schema_engine_bg";
import { parse as parsePgUrl } from "pg-connection-string";

const require = createRequire(import.meta.url);
const ROOT = path.resolve(import.meta.dirname, "../..");
const SCHEMA_PATH = path.join(ROOT, "prisma/schema.prisma");
const MIGRATIONS_PATH = path.join(ROOT, "prisma/migrations");
const FILTERS = { externalTables: [], externalEnums: [] };

// biome-ignore lint/suspicious/noExplicitAny: adapter internals are untyped here.
type Any = any;

// adapter-pg 7.10 cannot map Postgres' internal "char" type (OID 18), which the engine's
// pg_catalog introspection reads; and its executeScript splits on ';' outside a transaction.
function patchQueryable(q: Any): Any {
  const { queryRaw, performIO } = q;
  q.queryRaw = async (query: unknown) => {
    let charCols: number[] = [];
    const self = Object.create(q, {
      performIO: {
        value: async (qq: unknown) => {
          const res = await performIO.call(q, qq);
          charCols = [];
          res.fields.forEach((f: Any, i: number) => {
            if (f.dataTypeID === 18) {
              f.dataTypeID = 25;
              charCols.push(i);
            }
          });
          return res;
        },
      },
    });
    const result = await queryRaw.call(self, query);
    for (const i of charCols) result.columnTypes[i] = ColumnTypeEnum.Character;
    return result;
  };
  if (q.executeScript) {
    q.executeScript = async (script: string) => {
      try {
        await q.underlyingDriver().query(script);
      } catch (e) {
        q.onError(e);
      }
    };
  }
  const { startTransaction } = q;
  if (startTransaction)
    q.startTransaction = async (...a: unknown[]) => patchQueryable(await startTransaction.apply(q, a));
  return q;
}

// A parsed config, not a connection string: pg lets connectionString override `database`,
// which would make the "shadow" database the main one. The shadow pool is closed before the drop.
function pgFactory(url: string): Any {
  const cfg = parsePgUrl(url) as Any;
  const factory: Any = new PrismaPg(cfg);
  const { connect } = factory;
  factory.connect = async () => patchQueryable(await connect.call(factory));
  factory.connectToShadowDb = async () => {
    const main = await connect.call(factory);
    const name = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await main.executeScript(`CREATE DATABASE "${name}"`);
    const shadow: Any = await new PrismaPg({ ...cfg, database: name }).connect();
    const dispose = shadow.dispose.bind(shadow);
    shadow.dispose = async () => {
      await dispose();
      await main.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
      await main.dispose();
    };
    return patchQueryable(shadow);
  };
  return factory;
}

let wasmReady = false;
function initWasm() {
  if (wasmReady) return;
  (globalThis as Any).PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message(this: Any, m: string) {
      this.message = m;
    },
  };
  const wasmFile = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg").replace(/\.js$/, ".wasm");
  // No DOM lib here, so WebAssembly has no value typings: reach it through globalThis.
  const wasm: Any = (globalThis as Any).WebAssembly;
  const instance = new wasm.Instance(new wasm.Module(fs.readFileSync(wasmFile)), {
    "./schema_engine_bg.js": wasmBg,
  });
  wasmBg.__wbg_set_wasm(instance.exports);
  (instance.exports as Any).__wbindgen_start();
  const expected = require("@prisma/engines-version/package.json").prisma.enginesVersion;
  if (wasmBg.version() !== expected) {
    throw new Error(
      `@prisma/schema-engine-wasm is ${wasmBg.version()}, prisma expects ${expected}: pin both to the same build`,
    );
  }
  wasmReady = true;
}

function listMigrations() {
  const read = (p: string) => (fs.existsSync(p) ? fs.readFileSync(p, "utf8") : null);
  const dirs = fs.existsSync(MIGRATIONS_PATH)
    ? fs.readdirSync(MIGRATIONS_PATH, { withFileTypes: true }).filter((d) => d.isDirectory())
    : [];
  return {
    baseDir: MIGRATIONS_PATH,
    lockfile: { path: "migration_lock.toml", content: read(path.join(MIGRATIONS_PATH, "migration_lock.toml")) },
    shadowDbInitScript: "",
    migrationDirectories: dirs
      .map((d) => {
        const sql = read(path.join(MIGRATIONS_PATH, d.name, "migration.sql"));
        return {
          path: d.name,
          migrationFile: {
            path: "migration.sql",
            content: sql === null ? { tag: "error", value: "missing migration.sql" } : { tag: "ok", value: sql },
          },
        };
      })
      .sort((a, b) => a.path.localeCompare(b.path)),
  };
}

export async function openSchemaEngine(databaseUrl: string) {
  initWasm();
  const content = fs.readFileSync(SCHEMA_PATH, "utf8");
  const adapter = bindMigrationAwareSqlAdapterFactory(pgFactory(databaseUrl));
  const engine: Any = await wasmBg.SchemaEngine.new({ datamodels: [[SCHEMA_PATH, content]] }, () => {}, adapter);
  const schema = { files: [{ path: SCHEMA_PATH, content }] };
  return {
    /** SQL that would bring a database built from the migrations folder to schema.prisma; "" when in sync. */
    async diffMigrationsToSchema(): Promise<string> {
      const r = await engine.diff({
        from: { tag: "migrations", ...listMigrations() },
        to: { tag: "schemaDatamodel", ...schema },
        script: true,
        exitCode: null,
        filters: FILTERS,
      });
      // The engine answers "-- This is an empty migration." when in sync: keep only statements.
      const sql = String(r.stdout ?? "");
      return sql
        .split("\n")
        .filter((l) => !/^\s*(--.*)?$/.test(l))
        .join("\n")
        .trim()
        ? sql.trim()
        : "";
    },
    async applyMigrations(): Promise<string[]> {
      const r = await engine.applyMigrations({ migrationsList: listMigrations(), filters: FILTERS });
      return r.appliedMigrationNames;
    },
    /** Like `prisma migrate dev --create-only --name <name>`: writes a new migration folder. */
    async createMigration(name: string): Promise<string | null> {
      const { action } = await engine.devDiagnostic({ migrationsList: listMigrations(), filters: FILTERS });
      if (action.tag === "reset")
        throw new Error(`The database drifted from the migrations; reset it: ${action.reason}`);
      const pending = await engine.applyMigrations({ migrationsList: listMigrations(), filters: FILTERS });
      if (pending.appliedMigrationNames.length) {
        await engine.devDiagnostic({ migrationsList: listMigrations(), filters: FILTERS });
      }
      const loss = await engine.evaluateDataLoss({ migrationsList: listMigrations(), schema, filters: FILTERS });
      if (loss.unexecutableSteps.length) throw new Error(loss.unexecutableSteps.map((s: Any) => s.message).join("\n"));
      for (const w of loss.warnings) console.warn(`warning: ${w.message}`);
      const out = await engine.createMigration({
        draft: true,
        migrationName: name,
        migrationsList: listMigrations(),
        schema,
        filters: FILTERS,
      });
      if (out.migrationScript === null) return null;
      const dir = path.join(MIGRATIONS_PATH, out.generatedMigrationName);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, `migration.${out.extension}`), out.migrationScript, "utf8");
      fs.writeFileSync(
        path.join(MIGRATIONS_PATH, "migration_lock.toml"),
        `# Please do not edit this file manually\n# It should be added in your version-control system (e.g., Git)\nprovider = "${out.connectorType}"\n`,
      );
      return dir;
    },
    free: () => engine.free(),
  };
}
