import { type Operation, Prisma } from "../../generated/prisma/client.js";
import { type AgentState, OPEN_PROMPT_STATUSES, type SetupPhase } from "../../ports/agent.port.js";
import type {
  ActivityStore,
  NewOperation,
  OperationRecord,
  OperationStep,
  PoolStore,
  ProjectRecord,
  ProjectStatus,
  ProjectStore,
  ReconcileStore,
} from "../../ports/projects.port.js";
import type { TemplateStore } from "../../ports/templates.port.js";
import { ACTIVE_DEPLOYMENT_STATUSES, LIFECYCLE_OPERATION_KINDS } from "../../ports/vocabulary.js";
import type { Db } from "./prisma-client.js";
import { prismaTemplateStore } from "./prisma-template-store.js";

const withRelations = {
  template: { select: { name: true } },
  services: { orderBy: { kind: "asc" } },
  agent: true,
  agentSettings: { select: { id: true } },
  owner: { select: { agentSettings: { select: { id: true } } } },
} as const satisfies Prisma.ProjectInclude;
type ProjectRow = Prisma.ProjectGetPayload<{ include: typeof withRelations }>;

const toProject = (p: ProjectRow): ProjectRecord => ({
  id: p.id,
  name: p.name,
  slug: p.slug,
  templateId: p.templateId,
  templateName: p.template.name,
  prompt: p.prompt,
  ownerId: p.ownerId,
  poolKey: p.poolKey,
  desiredState: p.desiredState,
  keepData: p.keepData,
  status: p.status as ProjectStatus,
  statusMessage: p.statusMessage,
  generation: p.generation,
  seededAt: p.seededAt,
  lastActivityAt: p.lastActivityAt,
  idleTimeoutSeconds: p.idleTimeoutSeconds,
  sleptAt: p.sleptAt,
  productionIdle: p.productionIdle,
  createdAt: p.createdAt,
  updatedAt: p.updatedAt,
  services: p.services.map((s) => ({
    kind: s.kind,
    containerId: s.containerId,
    endpoint: s.endpoint,
    observedState: s.observedState,
    health: s.health,
    restartCount: s.restartCount,
    lastError: s.lastError,
  })),
  agent: p.agent && {
    projectId: p.agent.projectId,
    state: p.agent.state as AgentState,
    sessionId: p.agent.sessionId,
    message: p.agent.message,
    lastEventAt: p.agent.lastEventAt,
    setup: p.agent.setup as SetupPhase,
    setupMessage: p.agent.setupMessage,
    initialPromptId: p.agent.initialPromptId,
  },
  agentConfigured: Boolean(p.agentSettings || p.owner?.agentSettings),
});

export const toOperation = (o: Operation): OperationRecord => ({
  id: o.id,
  projectId: o.projectId,
  userId: o.userId,
  kind: o.kind as OperationRecord["kind"],
  status: o.status,
  progress: o.progress,
  steps: o.steps as unknown as OperationStep[],
  error: o.error,
  createdAt: o.createdAt,
  startedAt: o.startedAt,
  finishedAt: o.finishedAt,
});

const operationData = (op: NewOperation) => {
  const done = op.status === "succeeded";
  return {
    kind: op.kind,
    userId: op.userId,
    steps: op.steps as unknown as Prisma.InputJsonValue,
    status: op.status ?? "pending",
    ...(done ? { progress: 100, startedAt: new Date(), finishedAt: new Date() } : {}),
  };
};

const ACTIVE = { in: ["pending", "running"] as Array<"pending" | "running"> };
// Deploy and rollback operations run beside the lifecycle: a start or stop neither cancels nor reports on them.
const LIFECYCLE = { in: [...LIFECYCLE_OPERATION_KINDS] as string[] };

/** A claim takes the oldest ready instance; SKIP LOCKED lets concurrent claims take different ones. */
const READY_INSTANCE = (templateId: string, poolKey: string) => Prisma.sql`
  SELECT id FROM "Project"
  WHERE "templateId" = ${templateId}::uuid AND "poolKey" = ${poolKey} AND "ownerId" IS NULL
    AND "desiredState" = 'running' AND status = 'running' AND "sleptAt" IS NULL
  ORDER BY "createdAt" LIMIT 1 FOR UPDATE SKIP LOCKED`;

export function prismaProjectStore(db: Db): ProjectStore & ReconcileStore & ActivityStore & PoolStore {
  const templates: TemplateStore = prismaTemplateStore(db);
  const get = async (id: string) => {
    const p = await db.project.findUnique({ where: { id }, include: withRelations });
    return p && toProject(p);
  };
  const activeOperation = async (projectId: string) => {
    const o = await db.operation.findFirst({
      where: { projectId, status: ACTIVE, kind: LIFECYCLE },
      orderBy: { createdAt: "desc" },
    });
    return o && toOperation(o);
  };

  return {
    get,
    activeOperation,
    async create(project, operation) {
      try {
        const created = await db.project.create({
          data: { ...project, status: "pending", operations: { create: operationData(operation) } },
          include: { ...withRelations, operations: true },
        });
        const op = created.operations[0];
        if (!op) throw new Error("operation was not created with its project");
        return { project: toProject(created), operation: toOperation(op) };
      } catch (err) {
        if ((err as { code?: string }).code === "P2002") return null;
        throw err;
      }
    },
    async claimPooled(project, poolKey, operation) {
      try {
        return await db.$transaction(async (tx) => {
          const [ready] = await tx.$queryRaw<Array<{ id: string }>>(READY_INSTANCE(project.templateId, poolKey));
          if (!ready) return null;
          const now = new Date();
          const claimed = await tx.project.update({
            where: { id: ready.id },
            data: {
              ...project,
              poolKey: null,
              idleTimeoutSeconds: null,
              // Its pass renames the containers and publishes the routes; running after that.
              status: "starting",
              statusMessage: null,
              createdAt: now,
              lastActivityAt: now,
              operations: { create: operationData(operation) },
            },
            include: { ...withRelations, operations: true },
          });
          const op = claimed.operations[0];
          if (!op) throw new Error("operation was not created with the claim");
          return { project: toProject(claimed), operation: toOperation(op) };
        });
      } catch (err) {
        if ((err as { code?: string }).code === "P2002") return "slug_taken";
        throw err;
      }
    },
    async listPool() {
      const rows = await db.project.findMany({
        where: { poolKey: { not: null }, status: { not: "deleted" } },
        select: { id: true, templateId: true, poolKey: true, status: true, desiredState: true },
        orderBy: { createdAt: "asc" },
      });
      return rows.map((r) => ({ ...r, poolKey: r.poolKey as string, status: r.status as ProjectStatus }));
    },
    async createPooled({ templateId, slug, poolKey }) {
      const row = await db.project.create({
        // Never asleep while unclaimed (idle-policy.ts skips pool instances), the default after.
        data: { templateId, slug, poolKey, name: slug, status: "pending" },
        select: { id: true },
      });
      return row;
    },
    async retirePooled(id) {
      const r = await db.project.updateMany({
        where: { id, poolKey: { not: null }, ownerId: null, desiredState: { not: "deleted" } },
        data: { desiredState: "deleted", status: "deleting", statusMessage: null },
      });
      return r.count === 1;
    },
    async nameTaken(ownerId, name) {
      const n = await db.project.count({
        where: { ownerId, name: { equals: name, mode: "insensitive" }, desiredState: { not: "deleted" } },
      });
      return n > 0;
    },
    async list({ ownerId }) {
      const rows = await db.project.findMany({
        // An unclaimed warm-pool instance is nobody's project, not even an admin's to list.
        where: { ownerId: ownerId ?? { not: null }, status: { not: "deleted" } },
        include: withRelations,
        orderBy: { createdAt: "desc" },
      });
      return rows.map(toProject);
    },
    async requestChange(id, change, operation) {
      return db.$transaction(async (tx) => {
        await tx.operation.updateMany({
          where: { projectId: id, status: ACTIVE, kind: LIFECYCLE },
          data: { status: "canceled", finishedAt: new Date(), error: "superseded by a newer request" },
        });
        const op = await tx.operation.create({ data: { ...operationData(operation), projectId: id } });
        if (change.resetRestarts) {
          await tx.serviceInstance.updateMany({ where: { projectId: id }, data: { restartCount: 0, lastError: null } });
        }
        const p = await tx.project.update({
          where: { id },
          data: {
            desiredState: change.desiredState,
            status: change.status,
            statusMessage: null,
            lastActivityAt: new Date(),
            // A person's start, stop, restart or delete ends a sleep.
            sleptAt: null,
            ...(change.keepData !== undefined ? { keepData: change.keepData } : {}),
            ...(change.bumpGeneration ? { generation: { increment: 1 } } : {}),
          },
          include: withRelations,
        });
        return { project: toProject(p), operation: toOperation(op) };
      });
    },
    async addOperation(projectId, operation) {
      return toOperation(await db.operation.create({ data: { ...operationData(operation), projectId } }));
    },
    async listOperations(projectId, limit) {
      const rows = await db.operation.findMany({ where: { projectId }, orderBy: { createdAt: "desc" }, take: limit });
      return rows.map(toOperation);
    },
    async getOperation(id) {
      const o = await db.operation.findUnique({ where: { id } });
      return o && toOperation(o);
    },

    async updateSettings(id, patch) {
      try {
        const p = await db.project.update({ where: { id }, data: patch, include: withRelations });
        return toProject(p);
      } catch (err) {
        if ((err as { code?: string }).code === "P2002") return null;
        throw err;
      }
    },
    async recordActivity(latest) {
      for (const [id, at] of latest) {
        await db.project.updateMany({ where: { id, lastActivityAt: { lt: at } }, data: { lastActivityAt: at } });
      }
    },
    async markSleeping(id, at) {
      const r = await db.project.updateMany({
        where: { id, desiredState: "running", status: "running", sleptAt: null },
        data: { sleptAt: at },
      });
      return r.count === 1;
    },
    async clearSleep(id) {
      const r = await db.project.updateMany({
        where: { id, desiredState: "running", sleptAt: { not: null } },
        data: { sleptAt: null, lastActivityAt: new Date() },
      });
      return r.count === 1;
    },
    async busyReason(id) {
      const [building, prompts, agent] = await Promise.all([
        db.deployment.count({ where: { projectId: id, status: { in: [...ACTIVE_DEPLOYMENT_STATUSES] } } }),
        db.agentPrompt.count({ where: { projectId: id, status: { in: [...OPEN_PROMPT_STATUSES] } } }),
        db.projectAgent.findUnique({ where: { projectId: id }, select: { state: true } }),
      ]);
      if (building) return "a deployment is building";
      if (agent?.state === "working") return "the agent is working";
      if (prompts) return "the agent has prompts to run";
      return null;
    },

    template: (id) => templates.get(id),
    async listActiveIds() {
      const rows = await db.project.findMany({ where: { status: { not: "deleted" } }, select: { id: true } });
      return rows.map((r) => r.id);
    },
    async listKnown() {
      const rows = await db.project.findMany({ select: { id: true, status: true, keepData: true } });
      return rows.map((r) => ({ ...r, status: r.status as ProjectStatus }));
    },
    async setStatus(id, status, message) {
      await db.project.update({ where: { id }, data: { status, statusMessage: message } });
    },
    async markSeeded(id) {
      await db.project.update({ where: { id }, data: { seededAt: new Date() } });
    },
    async upsertService(projectId, kind, patch) {
      await db.serviceInstance.upsert({
        where: { projectId_kind: { projectId, kind } },
        create: { projectId, kind, ...patch },
        update: patch,
      });
    },
    async updateService(projectId, kind, { incrementRestarts, ...patch }) {
      await db.serviceInstance.updateMany({
        where: { projectId, kind },
        data: { ...patch, ...(incrementRestarts ? { restartCount: { increment: 1 } } : {}) },
      });
    },
    async upsertRoute(projectId, route) {
      await db.route.upsert({
        where: { projectId_kind: { projectId, kind: route.kind } },
        create: { projectId, ...route },
        update: { hostname: route.hostname, target: route.target },
      });
    },
    async finishDeletion(id) {
      const row = await db.project.findUnique({ where: { id }, select: { poolKey: true, ownerId: true } });
      if (row?.poolKey && !row.ownerId) {
        // Never anyone's: no operations or kept files to show, and the template can go after it.
        await db.project.deleteMany({ where: { id, ownerId: null } });
        return;
      }
      await db.$transaction([
        db.route.deleteMany({ where: { projectId: id } }),
        db.serviceInstance.deleteMany({ where: { projectId: id } }),
        // User slugs are at most 40 characters, so this one never collides with a live project.
        db.project.update({ where: { id }, data: { status: "deleted", statusMessage: null, slug: `deleted-${id}` } }),
      ]);
    },
    async updateOperation(id, patch) {
      const { steps, ...rest } = patch;
      // A finished operation (e.g. canceled by a newer request) is never written again.
      await db.operation.updateMany({
        where: { id, status: ACTIVE },
        data: { ...rest, ...(steps ? { steps: steps as unknown as Prisma.InputJsonValue } : {}) },
      });
    },
  };
}
