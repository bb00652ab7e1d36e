import { Prisma } from "../../generated/prisma/client.js";
import type { QaGateStore, QaResults, ReviewRound, TaskRecord, TaskStore } from "../../ports/tasks.port.js";
import type { QaGate } from "../../ports/templates.port.js";
import type { TaskAgentState } from "../../ports/vocabulary.js";
import type { Db } from "./prisma-client.js";

type Row = Awaited<ReturnType<Db["task"]["findFirstOrThrow"]>>;

const toRecord = (r: Row): TaskRecord => ({
  ...r,
  qaResults: (r.qaResults ?? null) as unknown as QaResults | null,
  agentState: r.agentState as TaskAgentState,
  reviewHistory: (Array.isArray(r.reviewHistory) ? r.reviewHistory : []) as unknown as ReviewRound[],
});

const json = (v: unknown) => (v === null ? Prisma.DbNull : (v as Prisma.InputJsonValue));

const isUniqueViolation = (err: unknown) => err instanceof Prisma.PrismaClientKnownRequestError && err.code === "P2002";

export function prismaTaskStore(db: Db): TaskStore {
  return {
    async create(projectId, t) {
      // Two creates at once may pick the same number: the unique index refuses one, it retries.
      for (let attempt = 0; ; attempt++) {
        const last = await db.task.aggregate({ where: { projectId }, _max: { n: true } });
        const end = await db.task.aggregate({ where: { projectId, status: "todo" }, _max: { position: true } });
        try {
          const row = await db.task.create({
            data: {
              projectId,
              n: (last._max.n ?? 0) + 1,
              title: t.title,
              description: t.description,
              createdById: t.createdById,
              position: t.position ?? (end._max.position ?? -1) + 1,
            },
          });
          return toRecord(row);
        } catch (err) {
          if (!isUniqueViolation(err) || attempt >= 5) throw err;
        }
      }
    },
    async list(projectId, opts) {
      const rows = await db.task.findMany({
        where: { projectId, ...(opts.status ? { status: opts.status } : {}) },
        orderBy: [{ position: "asc" }, { n: "asc" }],
      });
      return rows.map(toRecord);
    },
    async get(projectId, n) {
      const row = await db.task.findUnique({ where: { projectId_n: { projectId, n } } });
      return row ? toRecord(row) : null;
    },
    async update(projectId, n, changes, from) {
      const { qaResults, reviewHistory, ...rest } = changes;
      const data: Prisma.TaskUpdateManyMutationInput = {
        ...rest,
        ...(qaResults !== undefined ? { qaResults: json(qaResults) } : {}),
        ...(reviewHistory !== undefined ? { reviewHistory: reviewHistory as unknown as Prisma.InputJsonValue } : {}),
      };
      const { count } = await db.task.updateMany({
        where: { projectId, n, ...(from ? { status: { in: [...from] } } : {}) },
        data,
      });
      if (count === 0) return null;
      const row = await db.task.findUnique({ where: { projectId_n: { projectId, n } } });
      return row ? toRecord(row) : null;
    },
    async place(projectId, n, index) {
      return db.$transaction(async (tx) => {
        // Locks the column's rows: two moves at once renumber one after the other.
        const me = await tx.task.findUnique({ where: { projectId_n: { projectId, n } } });
        if (!me) return null;
        await tx.$queryRaw`SELECT 1 FROM "Task" WHERE "projectId" = ${projectId}::uuid AND "status"::text = ${me.status} FOR UPDATE`;
        const column = await tx.task.findMany({
          where: { projectId, status: me.status, NOT: { n } },
          orderBy: [{ position: "asc" }, { n: "asc" }],
          select: { n: true, position: true },
        });
        const order = [...column.slice(0, index), { n, position: -1 }, ...column.slice(index)];
        for (const [i, t] of order.entries()) {
          if (t.position !== i)
            await tx.task.update({ where: { projectId_n: { projectId, n: t.n } }, data: { position: i } });
        }
        const row = await tx.task.findUniqueOrThrow({ where: { projectId_n: { projectId, n } } });
        return toRecord(row);
      });
    },
    async remove(projectId, n) {
      const { count } = await db.task.deleteMany({ where: { projectId, n } });
      return count > 0;
    },
    async listActive() {
      return db.task.findMany({
        where: {
          project: { status: { not: "deleted" } },
          OR: [
            { status: "in_progress", agentState: "working" },
            { status: { in: ["qa", "review"] } },
            { previewContainerId: { not: null } },
          ],
        },
        select: { projectId: true, n: true },
        orderBy: [{ updatedAt: "asc" }],
      });
    },
  };
}

export function prismaQaGateStore(db: Db): QaGateStore {
  return {
    async get(projectId) {
      const row = await db.project.findUnique({ where: { id: projectId }, select: { qaGates: true } });
      return (row?.qaGates ?? null) as QaGate[] | null;
    },
    async set(projectId, gates) {
      await db.project.update({ where: { id: projectId }, data: { qaGates: json(gates) } });
    },
  };
}
