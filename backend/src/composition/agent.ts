// Builds the agent's adapters and services: model settings, the OpenCode connector, the event
// hub, the prompt worker and the reconciler hook that gives the OpenCode container its model.
// main.ts and the test harness call it; tests pass overrides.

import { opencodeConnector } from "../adapters/opencode/opencode-agent-server.js";
import { pgProjectLocks } from "../adapters/persistence/pg-project-locks.js";
import { prismaAgentSettingsStore, prismaAgentWorkStore } from "../adapters/persistence/prisma-agent-store.js";
import type { Db } from "../adapters/persistence/prisma-client.js";
import { prismaProjectStore } from "../adapters/persistence/prisma-project-store.js";
import { deriveKey } from "../config/secrets.js";
import { agentServiceFactory } from "../modules/agent/agent.service.js";
import { agentEventsHub } from "../modules/agent/agent-events.js";
import { agentSettingsServiceFactory } from "../modules/agent/agent-settings.service.js";
import { opencodeEnv } from "../modules/agent/opencode-config.js";
import type { OpencodePasswords } from "../modules/agent/opencode-password.js";
import { promptWorker, type TurnFinished } from "../modules/agent/prompt-worker.js";
import type { AgentServerConnector } from "../ports/agent.port.js";
import type { AuditLog } from "../ports/audit.port.js";
import type { ProjectRecord, ProjectSignals } from "../ports/projects.port.js";
import type { ServiceConnector } from "../ports/service-connector.port.js";
import type { ServiceSecrets } from "../reconciler/converger-context.js";
import { opencodeServiceSecrets } from "../reconciler/service-secrets.js";
import { secretBox } from "../shared/secret-box.js";

export interface AgentLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface ComposeAgentOptions {
  /** How the OpenCode service is reached (composition/service-network.ts). */
  connector: Pick<ServiceConnector, "fetch">;
  db: Db;
  databaseUrl: string;
  rootSecret: Buffer;
  /** Default: the projects store on `db`. */
  projects?: { get(id: string): Promise<ProjectRecord | null> };
  audit: AuditLog;
  signals: ProjectSignals;
  log: AgentLog;
  /** Each project's OpenCode password (composition/edge.ts composeOpencodePasswords). */
  passwords: OpencodePasswords;
  /** Wakes the reconciler: settings changed, the OpenCode container must be replaced. */
  wakeReconciler: (projectId: string) => void;
  /** Each finished agent turn: #13 commits the working tree here. */
  onTurnFinished?: (turn: TurnFinished) => Promise<void> | void;
  /** Wakes a sleeping project for a prompt (composition/idle.ts's waker, bound late). */
  wakeAsleep?: { wake: (projectId: string) => Promise<unknown>; holdMs: number };
  /** false: this process serves the API only (another one runs the worker, as the reconciler). */
  workerEnabled?: boolean;
  tuning?: {
    workerIntervalMs?: number;
    resendAfterMs?: number;
    maxModelRetries?: number;
    watchdogMs?: number;
    retryMs?: number;
  };
  /** Tests: another way to reach OpenCode servers. */
  agents?: AgentServerConnector;
}

export function composeAgent(opts: ComposeAgentOptions) {
  const { db, signals, log } = opts;
  const projects = opts.projects ?? prismaProjectStore(db);
  const settingsStore = prismaAgentSettingsStore(db);
  const work = prismaAgentWorkStore(db);
  const agents =
    opts.agents ??
    opencodeConnector({
      passwordFor: opts.passwords.passwordFor,
      fetch: opts.connector.fetch,
    });
  const settings = agentSettingsServiceFactory({
    settings: settingsStore,
    box: secretBox(deriveKey(opts.rootSecret, "agent-settings")),
    ownerOf: async (id) => (await projects.get(id))?.ownerId ?? null,
    audit: opts.audit,
    wake: (id) => opts.wakeReconciler(id),
  });
  const fingerprintKey = deriveKey(opts.rootSecret, "agent-config-fingerprint");

  // Late-bound: the hub wakes the worker, the worker publishes through the hub.
  let wakeWorker: (projectId: string) => void = () => {};
  const events = agentEventsHub({
    resolve: async (projectId) => {
      const p = await projects.get(projectId);
      const svc = p?.services.find((s) => s.kind === "opencode");
      return p?.status === "running" && svc?.endpoint ? agents.connect(projectId, svc.endpoint) : null;
    },
    onEvent: (projectId) => wakeWorker(projectId),
    onReconnect: (projectId) => wakeWorker(projectId),
    log,
    ...(opts.tuning?.watchdogMs ? { watchdogMs: opts.tuning.watchdogMs } : {}),
    ...(opts.tuning?.retryMs ? { retryMs: opts.tuning.retryMs } : {}),
  });
  const changed = (projectId: string) => {
    signals.notify(projectId);
    void Promise.all([work.state(projectId), work.listOpen(projectId)]).then(
      ([state, queue]) => {
        events.publish(projectId, "agent.state", {
          state: state?.state ?? "idle",
          sessionId: state?.sessionId ?? null,
          message: state?.message ?? null,
          lastEventAt: state?.lastEventAt?.toISOString() ?? null,
          setup: state?.setup ?? null,
        });
        events.publish(projectId, "agent.queue", {
          prompts: queue.map((q) => ({ id: q.id, sessionId: q.sessionId, text: q.text, status: q.status })),
        });
      },
      (err) => log.warn({ err, projectId }, "publishing the agent state failed"),
    );
  };

  const locks = pgProjectLocks(opts.databaseUrl, { maxConnections: 3, namespace: "devsanctum.agent" });
  const worker = promptWorker({
    work,
    projects,
    settings,
    agents,
    locks,
    log,
    changed,
    lastEventAt: (id) => events.lastEventAt(id),
    hold: (id) => events.hold(id),
    connected: (id) => events.connected(id),
    ...(opts.onTurnFinished ? { onTurnFinished: opts.onTurnFinished } : {}),
    ...(opts.tuning?.workerIntervalMs ? { intervalMs: opts.tuning.workerIntervalMs } : {}),
    ...(opts.tuning?.resendAfterMs ? { resendAfterMs: opts.tuning.resendAfterMs } : {}),
    ...(opts.tuning?.maxModelRetries ? { maxModelRetries: opts.tuning.maxModelRetries } : {}),
  });
  const workerEnabled = opts.workerEnabled ?? true;
  wakeWorker = workerEnabled ? worker.wake : () => {};

  const agent = agentServiceFactory({
    projects,
    settings,
    work,
    agents,
    audit: opts.audit,
    wake: (id) => wakeWorker(id),
    changed,
    passwords: opts.passwords,
    wakeReconciler: opts.wakeReconciler,
    ...(opts.wakeAsleep ? { wakeAsleep: opts.wakeAsleep } : {}),
  });

  // The reconciler's hook: OpenCode's password, and its model (key only in this container).
  const password = opencodeServiceSecrets(opts.passwords.passwordFor);
  const serviceSecrets: ServiceSecrets = async (projectId, kind) => {
    const base = await password(projectId, kind);
    if (kind !== "opencode") return base;
    const model = opencodeEnv(await settings.effective(projectId), fingerprintKey);
    const fingerprint = [base.fingerprint, model.fingerprint].filter(Boolean).join(".");
    return { env: { ...base.env, ...model.env }, healthHeaders: base.healthHeaders, fingerprint };
  };

  return {
    serviceSecrets,
    settings,
    agent,
    /** How OpenCode servers are reached (the task board scopes them to a task's worktree). */
    agents,
    events,
    worker,
    /** What app.ts registers the agent routes with. */
    routes: { settings, agent, events },
    start() {
      if (workerEnabled) worker.start();
    },
    async stop() {
      await worker.stop();
      await events.close();
      await locks.close();
    },
  };
}

export type ComposedAgent = ReturnType<typeof composeAgent>;
