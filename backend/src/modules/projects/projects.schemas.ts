import { z } from "zod";
import { DESIRED_STATES, PROJECT_STATUSES, SERVICE_KINDS } from "../../ports/vocabulary.js";
import { AgentSummary, Setup } from "../../shared/agent-summary.js";
import { Operation } from "../../shared/operations.js";
import { displayName } from "../../shared/schemas.js";

const KIND = z.enum(SERVICE_KINDS);

export const Project = z
  .object({
    id: z.uuid(),
    name: z.string(),
    slug: z.string(),
    templateId: z.uuid(),
    templateName: z.string(),
    prompt: z.string().nullable(),
    ownerId: z.uuid(),
    desiredState: z.enum(DESIRED_STATES),
    status: z.enum(PROJECT_STATUSES),
    statusMessage: z.string().nullable(),
    services: z.array(
      z.object({
        kind: KIND,
        observedState: z.string().describe("running, exited, absent, …"),
        health: z.string().describe("healthy, unhealthy, unknown"),
        url: z.string().nullable(),
      }),
    ),
    urls: z.object({
      preview: z.string().optional(),
      opencode: z.string().optional(),
      production: z.string().optional(),
    }),
    agent: AgentSummary.describe("The project's agent: its state, current session and last event"),
    setup: Setup.describe("containers → agent_working → ready (or agent_failed) for a project created with a prompt"),
    lastActivityAt: z.iso.datetime().describe("Last use (edge, API, console, agent, builds); recorded within seconds"),
    idleTimeoutSeconds: z
      .number()
      .int()
      .nullable()
      .describe("The project's own idle timeout; null follows the installation default"),
    effectiveIdleTimeoutSeconds: z.number().int().describe("The idle timeout that applies; 0 = never sleeps"),
    sleptAt: z.iso.datetime().nullable().describe("When it went to sleep (status sleeping); null while awake"),
    productionIdle: z.boolean().describe("Production deployments sleep with the project"),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .meta({ id: "Project" });

export const ProjectWithOperation = z
  .object({ project: Project, operation: Operation })
  .meta({ id: "ProjectOperation" });

export const CreateProjectBody = z
  .object({
    name: displayName(60),
    templateId: z.uuid().optional(),
    template: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, "a template slug like vite-react")
      .optional()
      .describe("The template's slug (e.g. vite-react), instead of templateId"),
    prompt: z.string().max(20_000).optional(),
  })
  .refine((b) => (b.templateId === undefined) !== (b.template === undefined), {
    message: "give the template as templateId (its id) or template (its slug), one of them",
    path: ["template"],
  });

/** 0 = never; otherwise 10 s to 30 days. */
export const IdleTimeoutSeconds = z
  .number()
  .int()
  .min(0)
  .max(30 * 24 * 3600)
  .refine((n) => n === 0 || n >= 10, { message: "0 (never) or at least 10 seconds" });

export const UpdateProjectBody = z
  .strictObject({
    name: z.string().trim().min(1).max(60).optional(),
    idleTimeoutSeconds: IdleTimeoutSeconds.nullable()
      .optional()
      .describe("Seconds without use before the project sleeps: 0 = never, null = the installation default"),
    productionIdle: z.boolean().optional().describe("Let production deployments sleep too (they wake the same way)"),
  })
  .refine((b) => Object.keys(b).length > 0, {
    message: "Send at least one of name, idleTimeoutSeconds, productionIdle",
  });

export const ProjectParams = z.object({ id: z.uuid() });

export const DeleteQuery = z.object({
  keepData: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true")
    .describe("Keep the project's volume (its files)"),
});

export const LogsQuery = z.object({
  service: KIND.default("preview"),
  tail: z.coerce.number().int().min(0).max(10_000).default(200),
  follow: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
});

export const EventStream = z.string().describe("text/event-stream");
