import type { Prisma } from "../../generated/prisma/client.js";
import type { DeploymentRecord, DeploymentStatus, DeploymentStore, StoredLog } from "../../ports/deployments.port.js";
import { ACTIVE_DEPLOYMENT_STATUSES } from "../../ports/vocabulary.js";
import type { Db } from "./prisma-client.js";
import { toOperation } from "./prisma-project-store.js";

const withRequester = { requestedBy: { select: { id: true, name: true, email: true } } } as const;
type Row = Prisma.DeploymentGetPayload<{ include: typeof withRequester }>;

const num = (v: bigint | null) => (v === null ? null : Number(v));
const big = (v: number | null | undefined) => (v === undefined ? undefined : v === null ? null : BigInt(v));
const json = (log: StoredLog) => log as unknown as Prisma.InputJsonValue;

function toLog(value: unknown): StoredLog {
  const v = (value ?? {}) as Partial<StoredLog>;
  return { head: v.head ?? [], tail: v.tail ?? [], total: v.total ?? 0, prelude: v.prelude ?? 0 };
}

const toDeployment = (r: Row): DeploymentRecord => ({
  id: r.id,
  projectId: r.projectId,
  number: r.number,
  kind: r.kind as DeploymentRecord["kind"],
  rollbackOf: r.rollbackOf,
  status: r.status as DeploymentStatus,
  error: r.error,
  requestedBy: r.requestedBy,
  operationId: r.operationId,
  image: r.image,
  sizeBytes: num(r.sizeBytes),
  snapshotBytes: num(r.snapshotBytes),
  buildContainerId: r.buildContainerId,
  containerId: r.containerId,
  endpoint: r.endpoint,
  log: toLog(r.log),
  cancelRequestedAt: r.cancelRequestedAt,
  snapshotAt: r.snapshotAt,
  buildStartedAt: r.buildStartedAt,
  buildFinishedAt: r.buildFinishedAt,
  liveAt: r.liveAt,
  supersededAt: r.supersededAt,
  warmUntil: r.warmUntil,
  createdAt: r.createdAt,
  finishedAt: r.finishedAt,
});

const ACTIVE = { in: [...ACTIVE_DEPLOYMENT_STATUSES] as string[] };

export function prismaDeploymentStore(db: Db): DeploymentStore {
  return {
    async open(projectId, input) {
      return db.$transaction(async (tx) => {
        // Serializes requests for one project: the second waits here, then sees the first.
        await tx.$queryRaw`SELECT id FROM "Project" WHERE id = ${projectId}::uuid FOR UPDATE`;
        const busy = await tx.deployment.findFirst({
          where: { projectId, status: ACTIVE },
          include: withRequester,
          orderBy: { number: "desc" },
        });
        if (busy) return { busy: toDeployment(busy) };
        const newest = await tx.deployment.aggregate({ where: { projectId }, _max: { number: true } });
        const op = input.operation;
        const operation = await tx.operation.create({
          data: {
            projectId,
            kind: op.kind,
            userId: op.userId,
            steps: op.steps as unknown as Prisma.InputJsonValue,
            status: "pending",
          },
        });
        const created = await tx.deployment.create({
          data: {
            projectId,
            number: (newest._max.number ?? 0) + 1,
            kind: input.kind,
            rollbackOf: input.rollbackOf,
            image: input.image,
            sizeBytes: big(input.sizeBytes) ?? null,
            requestedById: input.requestedById,
            operationId: operation.id,
            log: json(input.log),
            status: "queued",
          },
          include: withRequester,
        });
        return { deployment: toDeployment(created), operation: toOperation(operation) };
      });
    },

    async list(projectId) {
      const rows = await db.deployment.findMany({
        where: { projectId },
        include: withRequester,
        orderBy: { number: "desc" },
      });
      return rows.map(toDeployment);
    },

    async get(projectId, number) {
      const row = await db.deployment.findUnique({
        where: { projectId_number: { projectId, number } },
        include: withRequester,
      });
      return row && toDeployment(row);
    },

    async update(id, patch, from) {
      const { log, sizeBytes, snapshotBytes, ...rest } = patch;
      const res = await db.deployment.updateMany({
        where: { id, ...(from ? { status: { in: [...from] } } : {}) },
        data: {
          ...rest,
          ...(log ? { log: json(log) } : {}),
          ...(sizeBytes !== undefined ? { sizeBytes: big(sizeBytes) } : {}),
          ...(snapshotBytes !== undefined ? { snapshotBytes: big(snapshotBytes) } : {}),
        },
      });
      return res.count > 0;
    },

    async requestCancel(id) {
      const res = await db.deployment.updateMany({
        where: { id, status: ACTIVE },
        data: { cancelRequestedAt: new Date() },
      });
      if (res.count === 0) return null;
      const row = await db.deployment.findUnique({ where: { id }, include: withRequester });
      return row && toDeployment(row);
    },

    async goLive(input) {
      const now = new Date();
      return db.$transaction(async (tx) => {
        const d = await tx.deployment.findUnique({ where: { id: input.deploymentId } });
        if (d?.status !== "starting" || d.cancelRequestedAt) return false;
        await tx.deployment.updateMany({
          where: { projectId: input.projectId, status: "live" },
          data: { status: "superseded", supersededAt: now, warmUntil: input.warmUntil },
        });
        if (input.takeContainerFrom) {
          await tx.deployment.update({
            where: { id: input.takeContainerFrom },
            data: { containerId: null, endpoint: null, warmUntil: null },
          });
        }
        await tx.deployment.update({
          where: { id: input.deploymentId },
          data: {
            status: "live",
            liveAt: now,
            finishedAt: now,
            containerId: input.containerId,
            endpoint: input.endpoint,
            warmUntil: null,
            error: null,
            log: json(input.log),
          },
        });
        const { route } = input;
        await tx.route.upsert({
          where: { projectId_kind: { projectId: input.projectId, kind: "production" } },
          create: { projectId: input.projectId, ...route },
          // The access a person chose stays; only where it points moves.
          update: { hostname: route.hostname, target: route.target },
        });
        const service = {
          containerId: input.containerId,
          endpoint: input.serving ? input.endpoint : null,
          observedState: input.serving ? "running" : "exited",
          health: input.serving ? "healthy" : "unknown",
          lastError: null,
        };
        await tx.serviceInstance.upsert({
          where: { projectId_kind: { projectId: input.projectId, kind: "production" } },
          create: { projectId: input.projectId, kind: "production", ...service },
          update: { ...service, restartCount: 0 },
        });
        return true;
      });
    },

    async moveLive({ deploymentId, projectId, containerId, endpoint }) {
      await db.$transaction([
        db.deployment.update({ where: { id: deploymentId }, data: { containerId, endpoint } }),
        db.route.updateMany({ where: { projectId, kind: "production" }, data: { target: endpoint } }),
        db.serviceInstance.upsert({
          where: { projectId_kind: { projectId, kind: "production" } },
          create: { projectId, kind: "production", containerId, endpoint, observedState: "running", health: "healthy" },
          update: { containerId, endpoint, observedState: "running", health: "healthy", lastError: null },
        }),
      ]);
    },

    async remove(ids) {
      if (ids.length) await db.deployment.deleteMany({ where: { id: { in: [...ids] } } });
    },

    async projectIds() {
      const rows = await db.deployment.findMany({ distinct: ["projectId"], select: { projectId: true } });
      return rows.map((r) => r.projectId);
    },
  };
}
