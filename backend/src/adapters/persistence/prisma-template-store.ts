import { Prisma, type Template } from "../../generated/prisma/client.js";
import type { QaGate, TemplateRecord, TemplateServices, TemplateStore } from "../../ports/templates.port.js";
import type { Db } from "./prisma-client.js";

const UNIQUE_VIOLATION = "P2002";
const isUnique = (err: unknown) => (err as { code?: string }).code === UNIQUE_VIOLATION;

// services is JSON validated at the boundary (templates.schemas.ts) before it is written.
const toRecord = (t: Template): TemplateRecord => ({
  id: t.id,
  slug: t.slug,
  name: t.name,
  description: t.description,
  services: t.services as TemplateServices,
  filesSeed: t.filesSeed,
  qaGates: (t.qaGates as QaGate[] | null) ?? null,
  prewarm: t.prewarm,
  builtIn: t.builtIn,
  createdAt: t.createdAt,
  updatedAt: t.updatedAt,
});

const gatesJson = (g: QaGate[] | null | undefined) => (g ? (g as unknown as Prisma.InputJsonValue) : Prisma.DbNull);

export function prismaTemplateStore(db: Db): TemplateStore {
  return {
    async list() {
      return (await db.template.findMany({ orderBy: [{ builtIn: "desc" }, { name: "asc" }] })).map(toRecord);
    },
    async get(id) {
      const t = await db.template.findUnique({ where: { id } });
      return t && toRecord(t);
    },
    async getBySlug(slug) {
      const t = await db.template.findUnique({ where: { slug } });
      return t && toRecord(t);
    },
    async create(data) {
      try {
        const { qaGates, ...rest } = data;
        return toRecord(
          await db.template.create({
            data: { ...rest, services: data.services as object, qaGates: gatesJson(qaGates) },
          }),
        );
      } catch (err) {
        if (isUnique(err)) return null;
        throw err;
      }
    },
    async update(id, patch) {
      const found = await db.template.findUnique({ where: { id }, select: { id: true } });
      if (!found) return null;
      const { services, qaGates, ...rest } = patch;
      return toRecord(
        await db.template.update({
          where: { id },
          data: {
            ...rest,
            ...(services ? { services: services as object } : {}),
            ...(qaGates !== undefined ? { qaGates: gatesJson(qaGates) } : {}),
          },
        }),
      );
    },
    async delete(id) {
      return db.$transaction(async (tx) => {
        const found = await tx.template.findUnique({ where: { id }, select: { id: true } });
        if (!found) return "not_found" as const;
        // Deleted projects keep their rows (operations, kept volumes), so they count too.
        if (await tx.project.count({ where: { templateId: id, poolKey: null } })) return "in_use" as const;
        // Unclaimed warm-pool instances go when retired (their rows with them).
        if (await tx.project.count({ where: { templateId: id } })) {
          await tx.template.update({ where: { id }, data: { prewarm: 0 } });
          return "pool_draining" as const;
        }
        await tx.template.delete({ where: { id } });
        return "deleted" as const;
      });
    },
    async upsertBuiltIn(data) {
      const { prewarm, ...rest } = data;
      const fields = { ...rest, services: data.services as object, qaGates: gatesJson(data.qaGates), builtIn: true };
      // The manifest's prewarm seeds a new row only: an admin's later choice outlives a restart.
      return toRecord(
        await db.template.upsert({
          where: { slug: data.slug },
          update: fields,
          create: { ...fields, ...(prewarm !== undefined ? { prewarm } : {}) },
        }),
      );
    },
  };
}
