import { z } from "zod";
import type { ServiceSpec as ServiceSpecType } from "../../ports/templates.port.js";
import { ALLOWED_CAPABILITIES, isAllowedCapability } from "../../shared/capabilities.js";
import { QaGate, QaGateList } from "../../shared/qa-gate-schemas.js";
import { displayName } from "../../shared/schemas.js";

const CAPABILITY = /^(CAP_)?[A-Z_]{2,32}$/i;

const ServiceSpec = z
  .object({
    image: z.string().min(1).max(255),
    // Optional, so templates written before deployments existed stay valid: without it a
    // deployment serves a snapshot of the files with `command` alone.
    build: z
      .object({
        command: z.array(z.string().max(4096)).min(1).max(64),
        timeoutS: z.number().int().min(5).max(7200).optional(),
      })
      .optional()
      .describe("production: the build a deployment runs (one-shot, the service's limits) before `command` serves it"),
    command: z.array(z.string().max(4096)).max(64),
    workdir: z.string().startsWith("/").max(255).optional(),
    port: z.number().int().min(1).max(65535),
    env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(4096)).default({}),
    healthCheck: z.object({
      path: z.string().startsWith("/").max(255),
      intervalMs: z.number().int().min(50).max(60_000),
      timeoutMs: z.number().int().min(50).max(60_000),
      // The built-in vite-react template polls every 250 ms for up to 30 s (120 tries).
      retries: z.number().int().min(0).max(1000),
    }),
    limits: z.object({
      memoryMb: z.number().int().min(16).max(65_536),
      cpus: z.number().min(0.05).max(64),
      pids: z.number().int().min(8).max(65_536),
    }),
    capabilities: z
      .array(
        z
          .string()
          .regex(CAPABILITY)
          .refine(isAllowedCapability, `not granted to templates; allowed: ${ALLOWED_CAPABILITIES.join(", ")}`),
      )
      .max(16)
      .optional()
      .describe("Linux capabilities added back (all are dropped); only an allow-list, CAP_ prefix optional"),
    restart: z.object({ maxRetries: z.number().int().min(0).max(20) }),
    stateDir: z
      .string()
      .regex(/^\/[A-Za-z0-9._/-]+$/, "an absolute path")
      .max(255)
      .refine((d) => d !== "/app" && !d.startsWith("/app/"), "must be outside /app (the project's files)")
      .optional()
      .describe("Kept across container replacements on a volume only this service mounts"),
  })
  .meta({ id: "ServiceSpec" }) satisfies z.ZodType<ServiceSpecType, unknown>;

const TemplateServices = z
  .object({ preview: ServiceSpec.optional(), opencode: ServiceSpec.optional(), production: ServiceSpec.optional() })
  .strict()
  .refine((s) => s.preview || s.opencode || s.production, "a template declares at least one service")
  .refine((s) => !s.preview?.build && !s.opencode?.build, "only the production service has a build step");

const Prewarm = z
  .number()
  .int()
  .min(0)
  .max(20)
  .describe(
    "Projects of this template kept created, seeded and running, unowned, so that POST /projects claims one at once (the warm pool; bounded by POOL_MEMORY_MB); 0: none",
  );

export const Template = z
  .object({
    id: z.uuid(),
    slug: z.string(),
    name: z.string(),
    description: z.string(),
    services: z.object({
      preview: ServiceSpec.optional(),
      opencode: ServiceSpec.optional(),
      production: ServiceSpec.optional(),
    }),
    qaGates: z.array(QaGate).nullable().describe("The QA gates of a task on this template (issue #14)"),
    prewarm: Prewarm,
    builtIn: z.boolean(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Template" });

const slug = z
  .string()
  .min(2)
  .max(40)
  .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, "lowercase letters, digits and '-'");

export const CreateTemplateBody = z.object({
  slug,
  name: displayName(80),
  description: z.string().max(2000).default(""),
  services: TemplateServices,
  qaGates: QaGateList.nullish(),
  prewarm: Prewarm.default(0),
});

export const UpdateTemplateBody = z
  .object({
    name: displayName(80).optional(),
    description: z.string().max(2000).optional(),
    services: TemplateServices.optional(),
    qaGates: QaGateList.nullish(),
    prewarm: Prewarm.optional(),
  })
  .refine((b) => Object.keys(b).length > 0, "nothing to change");

/** The manifest of a built-in template, backend/templates/<slug>/template.json. */
/** `prewarm` in a manifest is the count a new install starts with; an admin's PATCH then stays across restarts. */
export const TemplateManifest = CreateTemplateBody.extend({
  filesSeed: z.string().min(1).optional(),
  prewarm: Prewarm.optional(),
});
