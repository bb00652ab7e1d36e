// Builds the task board (issue #14): the task store (its writes signal the project's streams),
// the QA gate runner and task previews on the container engine, the task worker that drives
// agents, gates and previews, and the service the routes call. main.ts and the tests call it.
import { pgProjectLocks } from "../adapters/persistence/pg-project-locks.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaQaGateStore, prismaTaskStore } from "../adapters/persistence/prisma-task-store.js";
import { gateRunner } from "../modules/tasks/gate-runner.js";
import { taskPreviews } from "../modules/tasks/task-preview.js";
import { taskWorker } from "../modules/tasks/task-worker.js";
import { type TaskAgentDeps, type TasksServiceDeps, tasksServiceFactory } from "../modules/tasks/tasks.service.js";
import type { AccountStore } from "../ports/account.port.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { ContainerRuntime, Labels } from "../ports/container-runtime.port.js";
import type { TaskGit } from "../ports/project-git.port.js";
import type { ProjectRecord, ProjectSignals } from "../ports/projects.port.js";
import type { TaskStore } from "../ports/tasks.port.js";
import type { TemplateStore } from "../ports/templates.port.js";
import { resourceNames } from "../reconciler/converger-context.js";
import { keyedQueue } from "../shared/keyed-queue.js";
import type { PublicHosts } from "../shared/project-urls.js";

export interface ComposeTasksOptions {
  db: Db;
  databaseUrl: string;
  runtime: ContainerRuntime;
  installId: string;
  extraLabels?: Labels;
  /** The project if the principal may see it (the projects service's rule: 404 otherwise). */
  projects: TasksServiceDeps["projects"];
  /** Project rows, whoever asks. */
  store: { get(id: string): Promise<ProjectRecord | null> };
  templates: Pick<TemplateStore, "get">;
  users: Pick<AccountStore, "findById">;
  git: TaskGit;
  maxDiffBytes: number;
  audit?: AuditLog;
  signals: ProjectSignals;
  hosts: PublicHosts;
  /** How service endpoints are reached (the task preview's health check). */
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  /** The agent (composition/agent.ts); without it tasks are worked by hand. */
  agent?: Omit<TaskAgentDeps, "lookup">;
  log: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
  /** Idle stop (issue #15): a task's agent or gates at work keep the project awake. */
  activity?: { touch(projectId: string): void };
  /** false: this process serves the API only (another one runs the worker, as the reconciler). */
  workerEnabled?: boolean;
  tuning?: { intervalMs?: number; healthTimeoutMs?: number; flushMs?: number; resendAfterMs?: number };
}

/** Every write of a task signals its project: the events stream's task.changed, the QA stream. */
function signalling(store: TaskStore, signals: ProjectSignals): TaskStore {
  const after = async <T>(projectId: string, v: Promise<T>) => {
    const r = await v;
    signals.notify(projectId);
    return r;
  };
  return {
    ...store,
    create: (projectId, t) => after(projectId, store.create(projectId, t)),
    update: (projectId, n, c, from) => after(projectId, store.update(projectId, n, c, from)),
    place: (projectId, n, i) => after(projectId, store.place(projectId, n, i)),
    remove: (projectId, n) => after(projectId, store.remove(projectId, n)),
  };
}

export function composeTasks(opts: ComposeTasksOptions) {
  const { runtime, installId } = opts;
  const names = resourceNames(installId);
  const store = signalling(prismaTaskStore(opts.db), opts.signals);
  const gateStore = prismaQaGateStore(opts.db);
  const serially = keyedQueue();
  const labels = opts.extraLabels ? { extraLabels: opts.extraLabels } : {};
  const gates = gateRunner({
    runtime,
    installId,
    ...labels,
    volumeOf: names.volume,
    ...(opts.tuning?.flushMs ? { flushMs: opts.tuning.flushMs } : {}),
  });
  const previews = taskPreviews({
    runtime,
    installId,
    ...labels,
    networkOf: names.network,
    volumeOf: names.volume,
    fetch: opts.fetch,
    healthTimeoutMs: opts.tuning?.healthTimeoutMs ?? 60_000,
  });
  const locks = pgProjectLocks(opts.databaseUrl, { maxConnections: 5, namespace: "devsanctum.task" });
  const workerEnabled = opts.workerEnabled ?? true;
  const worker = taskWorker({
    store,
    projects: opts.store,
    templates: opts.templates,
    gateStore,
    git: opts.git,
    serially,
    ...(opts.agent ? { agents: opts.agent.agents } : {}),
    gates,
    previews,
    locks,
    log: opts.log,
    ...(opts.activity ? { activity: opts.activity } : {}),
    ...(opts.tuning?.intervalMs ? { intervalMs: opts.tuning.intervalMs } : {}),
    ...(opts.tuning?.resendAfterMs ? { resendAfterMs: opts.tuning.resendAfterMs } : {}),
  });
  const service = tasksServiceFactory({
    projects: opts.projects,
    templates: opts.templates,
    users: opts.users,
    store,
    git: opts.git,
    maxDiffBytes: opts.maxDiffBytes,
    ...(opts.audit ? { audit: opts.audit } : {}),
    gateStore,
    ...(opts.agent ? { agent: { ...opts.agent, lookup: (id: string) => opts.store.get(id) } } : {}),
    ...(workerEnabled ? { wake: worker.wake } : {}),
    halt: async (projectId, n) => {
      await gates.removeAll(projectId, n);
      await previews.remove(projectId, n);
    },
    hosts: opts.hosts,
    serially,
    signals: opts.signals,
  });
  return {
    service,
    worker,
    gates,
    previews,
    start() {
      if (workerEnabled) worker.start();
    },
    async stop() {
      await worker.stop();
      await locks.close();
    },
  };
}

export type ComposedTasks = ReturnType<typeof composeTasks>;
