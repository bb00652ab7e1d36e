import path from "node:path";
import type { z } from "zod";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type { BuiltInTemplateSource, TemplateRecord, TemplateStore } from "../../ports/templates.port.js";
import { conflict, DomainError, notFound } from "../../shared/errors.js";
import type { CreateTemplateBody, UpdateTemplateBody } from "./templates.schemas.js";
import { TemplateManifest } from "./templates.schemas.js";

const templateNotFound = () => notFound("TEMPLATE_NOT_FOUND", "No such template");
const adminOnly = () => new DomainError("forbidden", "ADMIN_ONLY", "Only administrators can change templates");

export function toTemplateDto(t: TemplateRecord) {
  return {
    id: t.id,
    slug: t.slug,
    name: t.name,
    description: t.description,
    services: t.services,
    builtIn: t.builtIn,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

export function templatesServiceFactory(deps: { templates: TemplateStore; audit: AuditLog }) {
  const { templates, audit } = deps;
  const requireAdmin = (p: Principal) => {
    if (p.role !== "admin") throw adminOnly();
  };
  return {
    list: () => templates.list(),
    async create(principal: Principal, body: z.output<typeof CreateTemplateBody>) {
      requireAdmin(principal);
      const t = await templates.create({ ...body, filesSeed: null, builtIn: false });
      if (!t) throw conflict("TEMPLATE_SLUG_TAKEN", `A template with the slug "${body.slug}" exists`);
      await audit.record({
        actorId: principal.userId,
        action: "template.create",
        target: t.id,
        data: { slug: t.slug },
      });
      return t;
    },
    async update(principal: Principal, id: string, body: z.output<typeof UpdateTemplateBody>) {
      requireAdmin(principal);
      const t = await templates.update(id, body);
      if (!t) throw templateNotFound();
      await audit.record({ actorId: principal.userId, action: "template.update", target: id });
      return t;
    },
    async remove(principal: Principal, id: string) {
      requireAdmin(principal);
      const result = await templates.delete(id);
      if (result === "not_found") throw templateNotFound();
      if (result === "in_use") throw conflict("TEMPLATE_IN_USE", "Projects use this template; delete them first");
      await audit.record({ actorId: principal.userId, action: "template.delete", target: id });
    },
    /** Upserts every built-in template by slug; a malformed manifest stops the start with its path. */
    async seedBuiltIns(source: BuiltInTemplateSource) {
      const seeded: TemplateRecord[] = [];
      for (const { dir, manifest } of await source.load()) {
        const parsed = TemplateManifest.safeParse(manifest);
        if (!parsed.success) {
          const why = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
          throw new Error(`${path.join(dir, "template.json")} is not a valid template: ${why}`);
        }
        const { filesSeed, ...rest } = parsed.data;
        seeded.push(
          await templates.upsertBuiltIn({ ...rest, filesSeed: filesSeed ? path.resolve(dir, filesSeed) : null }),
        );
      }
      return seeded;
    },
  };
}

export type TemplatesService = ReturnType<typeof templatesServiceFactory>;
