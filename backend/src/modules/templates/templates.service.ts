import path from "node:path";
import type { z } from "zod";
import type { AuditLog } from "../../ports/audit.port.js";
import type { Principal } from "../../ports/auth.port.js";
import type {
  BuiltInTemplateSource,
  ServiceSpec,
  TemplateRecord,
  TemplateServices,
  TemplateStore,
} from "../../ports/templates.port.js";
import { allowedCapabilities } from "../../shared/capabilities.js";
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
    qaGates: t.qaGates,
    prewarm: t.prewarm,
    builtIn: t.builtIn,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

/** Capabilities in their normal form (NET_BIND_SERVICE, no CAP_ prefix), only allowed ones; `refused` names the rest. */
function withAllowedCapabilities(services: TemplateServices) {
  const refused: string[] = [];
  const out: TemplateServices = {};
  for (const [kind, spec] of Object.entries(services) as Array<[keyof TemplateServices, ServiceSpec]>) {
    if (!spec.capabilities) {
      out[kind] = spec;
      continue;
    }
    const caps = allowedCapabilities(spec.capabilities);
    refused.push(...caps.refused.map((c) => `${kind}: ${c}`));
    out[kind] = { ...spec, capabilities: caps.allowed };
  }
  return { services: out, refused };
}

export function templatesServiceFactory(deps: {
  templates: TemplateStore;
  audit: AuditLog;
  /** A template was made, changed or removed: the warm pool follows (reconciler/warm-pool.ts). */
  changed?: () => void;
}) {
  const { templates, audit } = deps;
  const changed = () => deps.changed?.();
  const requireAdmin = (p: Principal) => {
    if (p.role !== "admin") throw adminOnly();
  };
  return {
    list: () => templates.list(),
    async create(principal: Principal, body: z.output<typeof CreateTemplateBody>) {
      requireAdmin(principal);
      const t = await templates.create({
        ...body,
        services: withAllowedCapabilities(body.services).services,
        filesSeed: null,
        builtIn: false,
      });
      if (!t) throw conflict("TEMPLATE_SLUG_TAKEN", `A template with the slug "${body.slug}" exists`);
      await audit.record({
        actorId: principal.userId,
        action: "template.create",
        target: t.id,
        data: { slug: t.slug },
      });
      changed();
      return t;
    },
    async update(principal: Principal, id: string, body: z.output<typeof UpdateTemplateBody>) {
      requireAdmin(principal);
      const t = await templates.update(
        id,
        body.services ? { ...body, services: withAllowedCapabilities(body.services).services } : body,
      );
      if (!t) throw templateNotFound();
      await audit.record({ actorId: principal.userId, action: "template.update", target: id });
      changed();
      return t;
    },
    async remove(principal: Principal, id: string) {
      requireAdmin(principal);
      const result = await templates.delete(id);
      if (result === "not_found") throw templateNotFound();
      if (result === "in_use") throw conflict("TEMPLATE_IN_USE", "Projects use this template; delete them first");
      if (result === "pool_draining") {
        changed();
        throw conflict(
          "TEMPLATE_POOL_DRAINING",
          "Its warm pool is being emptied (prewarm is now 0); try again in a few seconds",
        );
      }
      await audit.record({ actorId: principal.userId, action: "template.delete", target: id });
    },
    /**
     * At start: a template stored before the capability allow-list may grant more (CAP_SYS_ADMIN,
     * ALL). Those grants are removed from the stored row; returns what was removed, per slug.
     */
    async revalidateStored() {
      const removed: Array<{ slug: string; capabilities: string[] }> = [];
      for (const t of await templates.list()) {
        const { services, refused } = withAllowedCapabilities(t.services);
        if (JSON.stringify(services) === JSON.stringify(t.services)) continue;
        await templates.update(t.id, { services });
        if (refused.length) removed.push({ slug: t.slug, capabilities: refused });
      }
      return removed;
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
