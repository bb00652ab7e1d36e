import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Writable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { pino } from "pino";
import { prismaAccountStore } from "../../src/adapters/persistence/prisma-account-store.js";
import { prismaApiTokenStore } from "../../src/adapters/persistence/prisma-api-token-store.js";
import { type ComposeAgentOptions, type ComposedAgent, composeAgent } from "../../src/composition/agent.js";
import { composeAudit } from "../../src/composition/audit.js";
import { composeEdge } from "../../src/composition/edge.js";
import { composeFiles, type FilesArea } from "../../src/composition/files.js";
import { composeIdle, type IdleArea } from "../../src/composition/idle.js";
import type { ComposedMetrics } from "../../src/composition/metrics.js";
import { composeProjects } from "../../src/composition/projects.js";
import { composeServiceNetwork } from "../../src/composition/service-network.js";
import { type ComposedTasks, type ComposeTasksOptions, composeTasks } from "../../src/composition/tasks.js";
import { composeUsage, type UsageArea } from "../../src/composition/usage.js";
import type { Config, FilesConfig } from "../../src/config/config.js";
import { buildEdge } from "../../src/edge/edge-server.js";
import { loggerOptions } from "../../src/http/logger.js";
import { authenticatorFactory } from "../../src/modules/auth/authenticator.js";
import type { ServiceConnector } from "../../src/ports/service-connector.port.js";
import type { ServiceSpec } from "../../src/ports/templates.port.js";
import type { Reconciler, ReconcilerLog } from "../../src/reconciler/reconciler.js";
import { inProcessProjectSignals } from "../../src/shared/project-signals.js";
import { buildTestApp, testDocker } from "./app.js";
import type { TestDatabase } from "./database.js";

const TEST_ROOT_SECRET = Buffer.from("devsanctum-test-root-secret-0123456789abcdef");
export const NODE_IMAGE = process.env.DEVSANCTUM_NODE_IMAGE ?? "devsanctum/node:20";
export const TEST_RUN = process.env.DEVSANCTUM_TEST_RUN ?? `local-${randomBytes(4).toString("hex")}`;
/** A built-in-style template folder (template.json + files/), also seeded by the process tests. */
export const TEMPLATES_FIXTURE = path.resolve(import.meta.dirname, "../fixtures/templates");
const STAND_IN_DIR = path.join(TEMPLATES_FIXTURE, "stand-in");

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

/** The builtin edge's wiring on *.localhost (composition/edge.ts); `edgePort` is where its URLs point. */
export function testEdge(
  database: TestDatabase,
  opts: { edgePort?: number; log?: ReconcilerLog; waking?: (projectId: string) => boolean } = {},
) {
  const log = opts.log ?? { info: () => {}, warn: () => {}, error: (o: object, m?: string) => console.error(m, o) };
  const edgePort = opts.edgePort ?? 8080;
  const authenticator = authenticatorFactory({ apiTokens: prismaApiTokenStore(database.db) });
  const edge = composeEdge({
    db: database.db,
    // One root secret for every harness on a database: what one seals (OpenCode passwords) the
    // next one (after a simulated restart) opens.
    rootSecret: TEST_ROOT_SECRET,
    config: {
      appsDomain: "localhost",
      publicUrl: "http://localhost:3000",
      proxyProvider: "builtin",
      edge: { host: "127.0.0.1", port: edgePort, httpsPort: 8443 },
    },
    authenticator,
    log,
    ...(opts.waking ? { waking: opts.waking } : {}),
  });
  return { log, authenticator, edge };
}

export interface ProjectsHarness {
  app: FastifyInstance;
  reconciler: Reconciler;
  runtime: ReturnType<typeof testDocker>;
  installId: string;
  /** How the control plane reaches project services (through this install's gate). */
  connector: ServiceConnector;
  /** GET (or `init`) `path` of a service at its recorded endpoint, as the control plane reaches it. */
  serviceFetch(endpoint: string | null, path?: string, init?: RequestInit): Promise<Response>;
  /** The OpenCode password the platform gave a project (random, sealed in the database). */
  opencodePassword(projectId: string): Promise<string>;
  /** Set with `files`: the files and history area, as main.ts wires it. */
  files?: FilesArea;
  /** Set with `files`: the task board (issue #14), with its worker when the agent is composed too. */
  tasks?: ComposedTasks;
  /** Set with opts.agent: the composed agent (settings, API, events, prompt worker). */
  agent?: ComposedAgent;
  /** With opts.agent, everything the app, the reconciler and the agent logged (JSON lines, redacted as in production). */
  logs(): string;
  /** Set with opts.idle: the activity aggregator and waker, and the builtin edge (on *.localhost) in front. */
  idle?: IdleArea;
  edgePort?: number;
  close(): Promise<void>;
}

export const TEST_FILES_CONFIG: FilesConfig = {
  maxFileBytes: 5 * 1024 * 1024,
  maxUploadBytes: 50 * 1024 * 1024,
  maxTreeEntries: 5000,
  workspace: { image: process.env.WORKSPACE_IMAGE ?? "devsanctum/workspace:1", idleMs: 300_000 },
};

/**
 * The real app with projects wired exactly as main.ts wires them (composition/projects.ts,
 * with the builtin edge's route verification), on its own install label.
 */
export async function projectsHarness(
  database: TestDatabase,
  opts: {
    intervalMs?: number;
    healthTimeoutMs?: number;
    concurrency?: number;
    installId?: string;
    attachContainers?: string[];
    /** The reconciler's log (default: errors to the console, the rest dropped). */
    log?: ReconcilerLog;
    /** Wire files and history (issue #13) with these limits. */
    files?: Partial<FilesConfig>;
    /** Compose the agent (issue #11) into the harness, as main.ts does; everything then logs through pino. */
    agent?: Pick<ComposeAgentOptions, "onTurnFinished" | "tuning" | "workerEnabled">;
    /** Idle stop and wake on access (issue #15), with a builtin edge listening on a free port. */
    idle?: Partial<Config["idle"]>;
    /** GET /metrics wired as main.ts wires it (composition/metrics.ts). */
    metrics?: ComposedMetrics;
    /** GET /projects/{id}/usage, its counters fed by the harness's edge (with `idle`), as main.ts wires it. */
    usage?: boolean;
    /** The task board's tuning (with `files`). */
    tasks?: Pick<ComposeTasksOptions, "tuning">;
    /** The warm pool's memory budget (POOL_MEMORY_MB; default 4096). */
    warmPoolMb?: number;
  } = {},
): Promise<ProjectsHarness> {
  // With metrics, Docker's failed calls are counted as main.ts counts them.
  const runtime = opts.metrics ? opts.metrics.countDockerErrors(testDocker()) : testDocker();
  // A second harness on the same database and install id plays a second control-plane replica.
  const installId = opts.installId ?? `t-${randomBytes(5).toString("hex")}`;
  let logged = "";
  const logger = pino(
    loggerOptions({ level: "info", pretty: false }),
    new Writable({
      write(chunk, _enc, done) {
        logged += chunk;
        done();
      },
    }),
  );
  const log =
    opts.log ??
    (opts.agent ? logger : { info: () => {}, warn: () => {}, error: (o: object, m?: string) => console.error(m, o) });
  const signals = inProcessProjectSignals();
  const audit = composeAudit(database.db, log);
  // The embedded default's service gate: project containers publish no port.
  const serviceNetwork = composeServiceNetwork({
    config: { endpoints: "gate", gateImage: NODE_IMAGE },
    runtime,
    installId,
    rootSecret: Buffer.from(`test-gate-secret-${installId}`),
    extraLabels: { "devsanctum.test-run": TEST_RUN },
  });
  let idle: IdleArea | undefined;
  const { authenticator, edge } = testEdge(database, {
    log,
    ...(opts.idle ? { waking: (id: string) => idle?.waker.isWaking(id) ?? false } : {}),
  });
  const agent = opts.agent
    ? composeAgent({
        db: database.db,
        databaseUrl: database.url,
        rootSecret: Buffer.from(`test-root-secret-${installId}`),
        audit,
        signals,
        log: logger,
        passwords: edge.passwords,
        connector: serviceNetwork.connector,
        wakeReconciler: (id) => projects.reconciler.wake(id),
        // As main.ts wires it: a prompt wakes a sleeping project (bound late, when idle is on).
        ...(opts.idle
          ? { wakeAsleep: { wake: (id: string) => idle?.waker.wake(id) ?? Promise.resolve(false), holdMs: 15_000 } }
          : {}),
        // As main.ts wires it: with files, every agent turn becomes a commit (bound late).
        ...(opts.files
          ? {
              onTurnFinished: async (turn) => {
                await files?.onAgentTurnEnd(turn.projectId, { sessionId: turn.sessionId, prompt: turn.text });
              },
            }
          : {}),
        ...opts.agent,
      })
    : undefined;
  if (opts.idle) {
    idle = composeIdle({
      db: database.db,
      config: { idle: { timeoutS: 900, wakeHoldMs: 15_000, flushMs: 500, ...opts.idle } },
      log,
      wake: (id) => projects.reconciler.wake(id),
      invalidate: (hostname) => edge.routes.invalidate(hostname),
    });
  }
  let files: FilesArea | undefined;
  const projects = composeProjects({
    db: database.db,
    databaseUrl: database.url,
    runtime,
    proxy: edge.proxy,
    audit,
    log,
    installId,
    config: {
      appsDomain: "localhost",
      testRun: TEST_RUN,
      reconciler: {
        enabled: true,
        intervalMs: opts.intervalMs ?? 1000,
        concurrency: opts.concurrency ?? 4,
        healthTimeoutMs: opts.healthTimeoutMs ?? 20_000,
        endpoints: "gate",
        gateImage: NODE_IMAGE,
        attachContainers: opts.attachContainers ?? [],
      },
      warmPool: { memoryMb: opts.warmPoolMb ?? 4096 },
    },
    serviceNetwork,
    opencodePassword: edge.passwords.passwordFor,
    ...(agent ? { serviceSecrets: agent.serviceSecrets } : {}),
    signals,
    stopTimeoutS: 2,
    ...(opts.files ? { initRepository: (p) => (files as FilesArea).initRepository(p) } : {}),
    ...(idle ? { idle } : {}),
    ...(opts.metrics ? { metrics: opts.metrics.reconciler, operationMetrics: opts.metrics.operations } : {}),
  });
  const usage: UsageArea | undefined = opts.usage
    ? composeUsage({ runtime, appsDomain: "localhost", project: projects.projects.get })
    : undefined;
  opts.metrics?.watchContainers(runtime, installId);
  opts.metrics?.watchQueue(projects.reconciler);
  if (opts.files) {
    files = composeFiles({
      runtime,
      installId,
      extraLabels: { "devsanctum.test-run": TEST_RUN },
      config: { ...TEST_FILES_CONFIG, ...opts.files },
      projects: projects.projects,
      templates: projects.templateStore,
      store: projects.store,
      users: prismaAccountStore(database.db),
      audit,
    });
  }
  const tasks = files
    ? composeTasks({
        db: database.db,
        databaseUrl: database.url,
        runtime,
        installId,
        extraLabels: { "devsanctum.test-run": TEST_RUN },
        projects: projects.projects,
        store: projects.store,
        templates: projects.templateStore,
        users: prismaAccountStore(database.db),
        git: files.git,
        maxDiffBytes: files.maxDiffBytes,
        audit,
        signals,
        hosts: edge.hosts,
        fetch: (url, init) => serviceNetwork.connector.fetch(url, init),
        ...(agent ? { agent: { createSessionIn: agent.agent.createSessionIn, agents: agent.agents } } : {}),
        ...(idle ? { activity: idle.activity } : {}),
        log,
        ...opts.tasks,
      })
    : undefined;
  const app = await buildTestApp(database, {
    containers: runtime,
    authenticator,
    projects: {
      templates: projects.templates,
      projects: projects.projects,
      hosts: edge.hosts,
      ...(idle ? { idleDefaultS: idle.reconciler.defaultTimeoutS } : {}),
    },
    ...(idle ? { activity: idle.activity } : {}),
    ...(files ? { files: { ...files, ...(tasks ? { tasks: tasks.service } : {}) } } : {}),
    ...(agent ? { agent: agent.routes, logger } : {}),
    ...(opts.metrics ? { metrics: opts.metrics.app } : {}),
    ...(usage ? { usage: usage.service } : {}),
  });
  let edgeServer: FastifyInstance | undefined;
  let edgePort: number | undefined;
  if (idle) {
    edgeServer = await buildEdge({
      access: edge.access,
      logger: false,
      connector: serviceNetwork.connector,
      ...idle.edge,
      ...(usage ? { usage: usage.edge } : {}),
    });
    await edgeServer.listen({ host: "127.0.0.1", port: 0 });
    edgePort = (edgeServer.server.address() as AddressInfo).port;
    idle.start();
  }
  projects.start();
  agent?.start();
  tasks?.start();
  return {
    app,
    reconciler: projects.reconciler,
    runtime,
    installId,
    connector: serviceNetwork.connector,
    opencodePassword: edge.passwords.passwordFor,
    serviceFetch: (endpoint, path = "/", init) =>
      serviceNetwork.connector.fetch(new URL(path, endpoint ?? "http://unset.invalid"), init),
    ...(files ? { files } : {}),
    ...(tasks ? { tasks } : {}),
    ...(agent ? { agent } : {}),
    logs: () => logged,
    ...(idle ? { idle } : {}),
    ...(edgePort !== undefined ? { edgePort } : {}),
    async close() {
      const t0 = Date.now();
      const at: Record<string, number> = {};
      const step = async (name: string, fn: () => Promise<unknown> | undefined) => {
        await fn();
        at[name] = Date.now() - t0;
      };
      await step("edge", () => edgeServer?.close());
      await step("idle", () => idle?.close());
      await step("tasks", () => tasks?.stop());
      await step("agent", () => agent?.stop());
      await step("projects", () => projects.close());
      await step("files", () => files?.close());
      await step("app", () => app.close());
      await step("network", () => serviceNetwork.close());
      await step("remove", () => removeByInstall(runtime, installId, {}, opts.attachContainers ?? []));
      if (process.env.DEBUG_CLOSE) console.log(`harness close (ms): ${JSON.stringify(at)}`);
    },
  };
}

/** Removes every container, network and volume carrying this install label (what a test made). */
export async function removeByInstall(
  runtime: ReturnType<typeof testDocker>,
  installId: string,
  more: Record<string, string> = {},
  /** Containers joined to every project network (a fake model): a network with them cannot go. */
  attached: string[] = [],
) {
  const labels = { "devsanctum.install": installId, ...more };
  for (const c of await runtime.listContainers(labels)) await runtime.removeContainer(c.id);
  for (const n of await runtime.listNetworks(labels)) {
    for (const c of attached) await runtime.disconnectNetwork(n.name, c);
    // Whatever is still on it (a service gate another harness of this install re-joined) is
    // forced off first; a network with an endpoint cannot be removed.
    const net = runtime.docker.getNetwork(n.name);
    for (let attempt = 1; ; attempt++) {
      const info = await net.inspect().catch(() => null);
      for (const id of Object.keys(info?.Containers ?? {})) {
        await net.disconnect({ Container: id, Force: true }).catch(() => {});
      }
      try {
        await runtime.removeNetwork(n.name);
        break;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }
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
