import { randomBytes } from "node:crypto";
import path from "node:path";
import type { FastifyInstance } from "fastify";
import { pgProjectLocks } from "../../src/adapters/persistence/pg-project-locks.js";
import { prismaAuditLog } from "../../src/adapters/persistence/prisma-audit-log.js";
import { prismaProjectStore } from "../../src/adapters/persistence/prisma-project-store.js";
import { prismaTemplateStore } from "../../src/adapters/persistence/prisma-template-store.js";
import { projectsServiceFactory } from "../../src/modules/projects/projects.service.js";
import { templatesServiceFactory } from "../../src/modules/templates/templates.service.js";
import type { ServiceSpec } from "../../src/ports/templates.port.js";
import { type Reconciler, reconcilerFactory } from "../../src/reconciler/reconciler.js";
import { opencodeServiceSecrets } from "../../src/reconciler/service-secrets.js";
import { inProcessProjectSignals } from "../../src/shared/project-signals.js";
import { buildTestApp, testDocker } from "./app.js";
import type { TestDatabase } from "./database.js";

export const NODE_IMAGE = process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20";
export const TEST_RUN = process.env.DEVSANCTUM_TEST_RUN ?? `local-${randomBytes(4).toString("hex")}`;
/** A built-in-style template folder (template.json + files/), also seeded by the process tests. */
export const TEMPLATES_FIXTURE = path.resolve(import.meta.dirname, "../fixtures/templates");
export const STAND_IN_DIR = path.join(TEMPLATES_FIXTURE, "stand-in");

/** Until the real vite-react template lands: a tiny node HTTP server over the seeded files. */
export function standInPreview(overrides: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    image: NODE_IMAGE,
    command: ["node", "/app/server.js"],
    workdir: "/app",
    port: 3000,
    env: { PORT: "3000" },
    healthCheck: { path: "/", intervalMs: 200, timeoutMs: 1000, retries: 3 },
    limits: { memoryMb: 128, cpus: 0.5, pids: 64 },
    restart: { maxRetries: 2 },
    ...overrides,
  };
}

export async function createStandInTemplate(database: TestDatabase, preview = standInPreview()) {
  const slug = `stand-in-${randomBytes(3).toString("hex")}`;
  return database.db.template.create({
    data: {
      slug,
      name: "Stand-in",
      services: { preview } as object,
      filesSeed: path.join(STAND_IN_DIR, "files"),
      builtIn: false,
    },
  });
}

/** The OpenCode password the harness's reconciler gives a project (main.ts derives it from the root secret). */
export const opencodeTestPassword = (projectId: string) => `test-password-${projectId}`;

export interface ProjectsHarness {
  app: FastifyInstance;
  reconciler: Reconciler;
  runtime: ReturnType<typeof testDocker>;
  installId: string;
  close(): Promise<void>;
}

/** The real app with projects wired to a real reconciler, on its own install label. */
export async function projectsHarness(
  database: TestDatabase,
  opts: {
    intervalMs?: number;
    healthTimeoutMs?: number;
    concurrency?: number;
    installId?: string;
    attachContainers?: string[];
  } = {},
): Promise<ProjectsHarness> {
  const runtime = testDocker();
  // A second harness on the same database and install id plays a second control-plane replica.
  const installId = opts.installId ?? `t-${randomBytes(5).toString("hex")}`;
  const store = prismaProjectStore(database.db);
  const templateStore = prismaTemplateStore(database.db);
  const signals = inProcessProjectSignals();
  const audit = prismaAuditLog(database.db);
  const locks = pgProjectLocks(database.url, { maxConnections: (opts.concurrency ?? 4) + 1 });
  const reconciler = reconcilerFactory({
    store,
    runtime,
    locks,
    signals,
    log: { info: () => {}, warn: () => {}, error: (o, m) => console.error(m, o) },
    installId,
    extraLabels: { "devsanctum.test-run": TEST_RUN },
    appsDomain: "localhost",
    intervalMs: opts.intervalMs ?? 1000,
    concurrency: opts.concurrency ?? 4,
    healthTimeoutMs: opts.healthTimeoutMs ?? 20_000,
    stopTimeoutS: 2,
    serviceSecrets: opencodeServiceSecrets(opencodeTestPassword),
    attachContainers: opts.attachContainers ?? [],
  });
  const projects = projectsServiceFactory({
    projects: store,
    templates: templateStore,
    containers: runtime,
    audit,
    wake: reconciler.wake,
  });
  const templates = templatesServiceFactory({ templates: templateStore, audit });
  const app = await buildTestApp(database, {
    containers: runtime,
    projects: { templates, projects, signals, hosts: { appsDomain: "localhost", scheme: "http", port: 8080 } },
  });
  reconciler.start();
  return {
    app,
    reconciler,
    runtime,
    installId,
    async close() {
      await reconciler.stop();
      await app.close();
      await locks.close();
      await removeByInstall(runtime, installId);
    },
  };
}

/** Removes every container, network and volume carrying this install label (what a test made). */
export async function removeByInstall(runtime: ReturnType<typeof testDocker>, installId: string) {
  const labels = { "devsanctum.install": installId };
  for (const c of await runtime.listContainers(labels)) await runtime.removeContainer(c.id);
  for (const n of await runtime.listNetworks(labels)) await runtime.removeNetwork(n.name);
  for (const v of await runtime.listVolumes(labels)) await runtime.removeVolume(v.name);
}

export async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 20_000, step = 100): Promise<T> {
  const until = Date.now() + ms;
  let last: T = await fn();
  while (!ok(last)) {
    if (Date.now() > until) throw new Error(`condition not met within ${ms} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, step));
    last = await fn();
  }
  return last;
}
